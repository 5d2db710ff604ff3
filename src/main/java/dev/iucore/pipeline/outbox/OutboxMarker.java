package dev.iucore.pipeline.outbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import org.apache.camel.Exchange;

/** Settles the claimed events that are not delivered now: delayed-lane events are held for their batch. */
public final class OutboxMarker {

    static final String HOLD = """
            UPDATE event_outbox SET status = 'held', locked_by = NULL, locked_until = NULL
             WHERE id = ANY (?)""";

    /** The route's step: holds every event the plan holds. */
    public void hold(Exchange exchange) throws SQLException {
        hold(RelayTransaction.connection(exchange), DispatchPlan.of(exchange).held());
    }

    public void hold(Connection connection, List<Long> ids) throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = connection.prepareStatement(HOLD)) {
            ps.setArray(1, connection.createArrayOf("bigint", ids.toArray()));
            ps.executeUpdate();
        }
    }
}
