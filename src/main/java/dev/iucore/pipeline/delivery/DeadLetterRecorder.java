package dev.iucore.pipeline.delivery;

import dev.iucore.pipeline.relay.DeadLetterReason;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;

/**
 * Writes dead letters: what cannot be delivered is kept with a snapshot of its event and a reason,
 * never dropped: one route of an event gave up. (At dispatch, the event itself goes dead:
 * {@code outbox/OutboxMarker}.)
 */
public final class DeadLetterRecorder {

    static final String INSERT = """
            INSERT INTO iu_route_dead_letter (delivery_id, event_id, event_type, route_key, reason, event_snapshot, last_error)
            SELECT ?, e.event_id, e.event_type, ?, ?, to_jsonb(e) - 'locked_by' - 'locked_until', ?
              FROM event_outbox e
             WHERE e.event_id = ?""";

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
