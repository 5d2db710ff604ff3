package dev.iucore.pipeline.outbox;

import dev.iucore.pipeline.relay.RelayGates;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import org.apache.camel.Body;

/**
 * The route table step: one {@code iu_route_delivery} per route of the event's type that today's
 * gates allow (an outbound route only when {@code delivery_live_routes} lists it, SQL routes only
 * with {@code sql_routes_enabled}), then the event is {@code dispatched}, also with no route at all.
 */
public final class RouteResolver {

    static final String CREATE_DELIVERIES = """
            INSERT INTO iu_route_delivery (event_id, outbox_id, aggregate_id, route_kind, route_key)
            SELECT e.event_id, e.id, e.aggregate_id, routes.kind, routes.route_key
              FROM event_outbox e
              JOIN (SELECT 'outbound' AS kind, r.route_key, r.event_type
                      FROM iu_outbound_route r
                     WHERE r.enabled AND r.route_key = ANY (?)
                    UNION ALL
                    SELECT 'sql', s.route_key, s.event_type
                      FROM iu_sql_event_route s
                     WHERE s.enabled AND ?) routes ON routes.event_type = e.event_type
             WHERE e.id = ANY (?)
            ON CONFLICT (event_id, route_key) WHERE replay_of IS NULL DO NOTHING""";
    static final String MARK_DISPATCHED = """
            UPDATE event_outbox
               SET status = 'dispatched', dispatched_at = now(), locked_by = NULL, locked_until = NULL
             WHERE id = ANY (?)""";

    /** The route's step: deliveries for every event the plan dispatches. */
    public void createDeliveries(@Body DispatchBatch batch) throws SQLException {
        createDeliveries(batch.transaction().connection(), batch.plan().dispatched(), batch.gates());
    }

    public int createDeliveries(Connection connection, List<Long> eventIds, RelayGates gates) throws SQLException {
        if (eventIds.isEmpty()) {
            return 0;
        }
        Array ids = connection.createArrayOf("bigint", eventIds.toArray());
        int created;
        try (PreparedStatement ps = connection.prepareStatement(CREATE_DELIVERIES)) {
            ps.setArray(1, connection.createArrayOf("text", gates.liveRoutes().toArray()));
            ps.setBoolean(2, gates.sqlRoutesEnabled());
            ps.setArray(3, ids);
            created = ps.executeUpdate();
        }
        try (PreparedStatement ps = connection.prepareStatement(MARK_DISPATCHED)) {
            ps.setArray(1, ids);
            ps.executeUpdate();
        }
        return created;
    }
}
