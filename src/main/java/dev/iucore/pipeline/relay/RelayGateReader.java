package dev.iucore.pipeline.relay;

import org.apache.camel.Exchange;

/** The route step that reads the relay's gates on the batch's transaction. */
public final class RelayGateReader {

    public void read(Exchange exchange) {
        exchange.setProperty(RelayGates.PROPERTY, RelayGates.read(RelayTransaction.of(exchange).connection()));
    }
}
