package dev.iucore.pipeline.outbox;

import dev.iucore.pipeline.db.NamedSql;
import dev.iucore.pipeline.relay.RelayGates;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.camel.Body;

/**
 * The route table step ({@code create-deliveries.sql}): one {@code iu_route_delivery} per route of
 * the event's type that the batch's gates allow (the rule {@code fn_iu_core_route_permissions}: an
 * enabled route, an outbound one listed in {@code delivery_live_routes}, an SQL one with
 * {@code sql_routes_enabled}), every other route counted as skipped, then the event is
 * {@code dispatched}, also with no route at all.
 */
public final class RouteResolver {

    private static final NamedSql CREATE_DELIVERIES = NamedSql.load(RouteResolver.class, "create-deliveries.sql");

    /** The route's step: deliveries for every event the plan dispatches, the skips noted in the plan. */
    public void createDeliveries(@Body DispatchBatch batch) throws SQLException {
        createDeliveries(batch.transaction().connection(), batch.plan().dispatched(), batch.gates())
                .forEach(batch.plan()::skipped);
    }

    /** @return the routes skipped, per route and reason */
    public List<DispatchPlan.Skip> createDeliveries(Connection connection, List<Long> eventIds, RelayGates gates)
            throws SQLException {
        if (eventIds.isEmpty()) {
            return List.of();
        }
        Map<String, Object> parameters = Map.of("ids", eventIds.toArray(Long[]::new),
                "delivery_open", gates.deliveryEnabled(), "live_routes", gates.liveRoutes().toArray(String[]::new),
                "sql_open", gates.sqlRoutesEnabled());
        List<DispatchPlan.Skip> skips = new ArrayList<>();
        try (PreparedStatement ps = CREATE_DELIVERIES.prepare(connection, parameters); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                skips.add(new DispatchPlan.Skip(rs.getString("route_key"), rs.getString("reason"), rs.getInt("events")));
            }
        }
        return skips;
    }
}
