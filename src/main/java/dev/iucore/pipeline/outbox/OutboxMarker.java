package dev.iucore.pipeline.outbox;

import dev.iucore.pipeline.relay.DeadLetterReason;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import org.apache.camel.Body;

/**
 * Settles the claimed events that are not delivered now: delayed-lane events are held for their
 * batch; events of unregistered or disabled types become dead letters (a snapshot and a reason,
 * never dropped) and {@code dead}.
 */
public final class OutboxMarker {

    static final String HOLD = """
            UPDATE event_outbox SET status = 'held', locked_by = NULL, locked_until = NULL
             WHERE id = ANY (?)""";

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

    /** The route's step: holds every event the plan holds. */
    public void hold(@Body DispatchBatch batch) throws SQLException {
        hold(batch.transaction().connection(), batch.plan().held());
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

    /** The route's step: events of unregistered or disabled types become dead letters, and dead. */
    public void deadEvents(@Body DispatchBatch batch) throws SQLException {
        Connection connection = batch.transaction().connection();
        DispatchPlan plan = batch.plan();
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
}
