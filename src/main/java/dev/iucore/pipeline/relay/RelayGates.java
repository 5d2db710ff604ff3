package dev.iucore.pipeline.relay;

import dev.iucore.pipeline.gates.Gate;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's gates as one transaction sees them, read once per batch so every event of the batch
 * meets the same answer (transaction-local overrides included). One statement for the three: at a
 * trickle of events a dispatch batch holds a few, and a round trip per gate was a good part of its cost.
 */
public record RelayGates(boolean deliveryEnabled, List<String> liveRoutes, boolean sqlRoutesEnabled) {

    private static final Logger LOG = LoggerFactory.getLogger(RelayGates.class);

    static final String READ = "SELECT fn_iu_core_gate_open(?), fn_iu_core_gate_list(?), fn_iu_core_gate_open(?)";

    /** Fail-closed: a read that fails is every gate closed (and the transaction is then spoilt anyway). */
    public static RelayGates read(Connection connection) {
        try (PreparedStatement ps = connection.prepareStatement(READ)) {
            ps.setString(1, Gate.DELIVERY_ENABLED.sqlName());
            ps.setString(2, Gate.DELIVERY_LIVE_ROUTES.sqlName());
            ps.setString(3, Gate.SQL_ROUTES_ENABLED.sqlName());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Array live = rs.getArray(2);
                return new RelayGates(rs.getBoolean(1), live == null ? List.of() : List.of((String[]) live.getArray()),
                        rs.getBoolean(3));
            }
        } catch (SQLException e) {
            LOG.warn("the relay's gates read as closed: {}", e.getMessage());
            return new RelayGates(false, List.of(), false);
        }
    }
}
