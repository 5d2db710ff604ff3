package dev.iucore.pipeline.relay;

import org.apache.camel.ExchangeProperty;

/**
 * The route step that reads the relay's gates on the batch's transaction: its {@link RelayGates}
 * become the body, so the route's choice on {@code ${body.deliveryEnabled}} is written in the YAML.
 */
public final class RelayGateReader {

    public RelayGates read(@ExchangeProperty(RelayTransaction.PROPERTY) RelayTransaction transaction) {
        return RelayGates.read(transaction.connection());
    }
}
