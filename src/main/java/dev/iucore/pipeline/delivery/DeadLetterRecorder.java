package dev.iucore.pipeline.delivery;

import dev.iucore.pipeline.outbox.DispatchPlan;
import dev.iucore.pipeline.outbox.RelayTransaction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
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
    static final String DEAD_EVENTS = """
            WITH dead AS (
                UPDATE event_outbox
                   SET status = 'dead', dispatched_at = now(), locked_by = NULL, locked_until = NULL
                 WHERE id = ANY (?)
                RETURNING *)
            INSERT INTO iu_route_dead_letter (event_id, event_type, reason, event_snapshot, last_error)
            SELECT d.event_id, d.event_type, ?, to_jsonb(d) - 'locked_by' - 'locked_until',
                   'event type ' || d.event_type || ?
              FROM dead d""";

    /** The route's step: events of unregistered or disabled types become dead letters, and dead. */
    public void deadEvents(Exchange exchange) throws SQLException {
        Connection connection = RelayTransaction.connection(exchange);
        DispatchPlan plan = DispatchPlan.of(exchange);
        deadEvents(connection, plan.unregistered(), DeadLetterReason.UNREGISTERED_TYPE, " is not in event_type_registry");
        deadEvents(connection, plan.disabled(), DeadLetterReason.TYPE_DISABLED, " is disabled in event_type_registry");
    }

    private static void deadEvents(Connection connection, List<Long> ids, DeadLetterReason reason, String why)
            throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = connection.prepareStatement(DEAD_EVENTS)) {
            ps.setArray(1, connection.createArrayOf("bigint", ids.toArray()));
            ps.setString(2, reason.sqlName());
            ps.setString(3, why);
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
