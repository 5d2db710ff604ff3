package dev.iucore.pipeline.delivery;

import dev.iucore.pipeline.outbox.OutboxEvent;
import dev.iucore.pipeline.outbox.RelayTransaction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;
import org.apache.camel.Body;
import org.apache.camel.Exchange;

/**
 * Writes dead letters: what cannot be delivered is kept with a snapshot of its event and a reason,
 * never dropped. At dispatch (an unregistered or disabled type: the event itself goes {@code dead})
 * and at delivery (one route of an event gave up).
 */
public final class DeadLetterRecorder {

    static final String INSERT = """
            INSERT INTO iu_route_dead_letter (delivery_id, event_id, event_type, route_key, reason, event_snapshot, last_error)
            SELECT ?, e.event_id, e.event_type, ?, ?, to_jsonb(e) - 'locked_by' - 'locked_until', ?
              FROM event_outbox e
             WHERE e.event_id = ?""";
    static final String MARK_DEAD = """
            UPDATE event_outbox
               SET status = 'dead', dispatched_at = now(), locked_by = NULL, locked_until = NULL
             WHERE id = ?""";

    public void unregisteredType(@Body OutboxEvent event, Exchange exchange) throws SQLException {
        deadEvent(RelayTransaction.connection(exchange), event, DeadLetterReason.UNREGISTERED_TYPE,
                "event type " + event.eventType() + " is not in event_type_registry");
    }

    public void typeDisabled(@Body OutboxEvent event, Exchange exchange) throws SQLException {
        deadEvent(RelayTransaction.connection(exchange), event, DeadLetterReason.TYPE_DISABLED,
                "event type " + event.eventType() + " is disabled in event_type_registry");
    }

    private static void deadEvent(Connection connection, OutboxEvent event, DeadLetterReason reason, String error)
            throws SQLException {
        insert(connection, null, event.eventId(), null, reason, error);
        try (PreparedStatement ps = connection.prepareStatement(MARK_DEAD)) {
            ps.setLong(1, event.id());
            ps.executeUpdate();
        }
    }

    static void insert(Connection connection, Long deliveryId, UUID eventId, String routeKey, DeadLetterReason reason,
                       String error) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(INSERT)) {
            ps.setObject(1, deliveryId);
            ps.setString(2, routeKey);
            ps.setString(3, reason.sqlName());
            ps.setString(4, AttemptResult.bounded(error));
            ps.setObject(5, eventId);
            ps.executeUpdate();
        }
    }
}
