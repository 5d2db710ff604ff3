package dev.iucore.pipeline.outbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.apache.camel.Body;
import org.apache.camel.Exchange;

/** Settles a claimed event that is not delivered now: a delayed-lane event is held for its batch. */
public final class OutboxMarker {

    static final String HOLD = """
            UPDATE event_outbox SET status = 'held', locked_by = NULL, locked_until = NULL
             WHERE id = ?""";

    public void hold(@Body OutboxEvent event, Exchange exchange) throws SQLException {
        hold(RelayTransaction.connection(exchange), event);
    }

    public void hold(Connection connection, OutboxEvent event) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(HOLD)) {
            ps.setLong(1, event.id());
            ps.executeUpdate();
        }
    }
}
