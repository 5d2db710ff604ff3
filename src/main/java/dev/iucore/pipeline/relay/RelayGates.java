package dev.iucore.pipeline.relay;

import dev.iucore.pipeline.gates.Gate;
import dev.iucore.pipeline.gates.GateService;
import java.sql.Connection;
import java.util.List;

/**
 * The relay's gates as one transaction sees them, read once per batch so every event of the batch
 * meets the same answer (transaction-local overrides included).
 */
public record RelayGates(boolean deliveryEnabled, List<String> liveRoutes, boolean sqlRoutesEnabled) {

    public static RelayGates read(Connection connection) {
        return new RelayGates(GateService.isOpen(connection, Gate.DELIVERY_ENABLED),
                GateService.items(connection, Gate.DELIVERY_LIVE_ROUTES),
                GateService.isOpen(connection, Gate.SQL_ROUTES_ENABLED));
    }
}
