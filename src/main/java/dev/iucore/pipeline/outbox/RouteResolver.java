package dev.iucore.pipeline.outbox;

import dev.iucore.pipeline.db.NamedSql;
import dev.iucore.pipeline.delivery.DeliveryClaimer;
import dev.iucore.pipeline.delivery.DeliveryHandOff;
import dev.iucore.pipeline.delivery.DeliveryTask;
import dev.iucore.pipeline.relay.RelayGates;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Body;

/**
 * The route table step ({@code create-deliveries.sql}): one {@code iu_route_delivery} per route of
 * the event's type that the batch's gates allow (the rule {@code fn_iu_core_route_permissions}: an
 * enabled route, an outbound one listed in {@code delivery_live_routes}, an SQL one with
 * {@code sql_routes_enabled}), every other route counted as skipped, then the event is
 * {@code dispatched}, also with no route at all. Those of the new deliveries this process's workers
 * can take now are created leased to it ({@link DeliveryClaimer#handOver}) and go to the workers
 * once the batch commits; should any be left for a claim, the claimer hears of it after the commit.
 */
public final class RouteResolver {

    private static final NamedSql CREATE_DELIVERIES = NamedSql.load(RouteResolver.class, "create-deliveries.sql");

    /** What one batch's route table did: the deliveries it leased, the routes it skipped, how many it left for a claim. */
    public record Created(List<DeliveryTask> leased, List<DispatchPlan.Skip> skips, int leftForClaim) {
    }

    private final DeliveryHandOff workers;

    /** @param workers this process's delivery workers: free slots for the new deliveries, a claim for those left */
    public RouteResolver(DeliveryHandOff workers) {
        this.workers = workers;
    }

    /**
     * The route's step: deliveries for every event the plan dispatches; the skips and the leased tasks
     * noted in the plan. A full batch leases nothing: it is a backlog, which the claim drains as the
     * workers free their slots, and a claim waiting for its long statement would leave them idle.
     */
    public void createDeliveries(@Body DispatchBatch batch) throws SQLException {
        Optional<DeliveryClaimer.HandOver> slots = batch.full() ? Optional.empty() : workers.handOver();
        try {
            Created created = createDeliveries(batch.transaction().connection(), batch.plan().dispatched(), batch.gates(),
                    slots.map(DeliveryClaimer.HandOver::parameters).orElse(DeliveryClaimer.HandOver.NONE));
            created.skips().forEach(batch.plan()::skipped);
            batch.plan().leased(created.leased());
            slots.ifPresent(s -> s.leased(created.leased(), batch.transaction()));
            if (created.leftForClaim() > 0) {
                batch.transaction().afterCommit(workers::leftForClaim);
            }
        } finally {
            slots.ifPresent(DeliveryClaimer.HandOver::close);
        }
    }

    /**
     * @param lease the delivery claim's parameters for this process's free slots ({@link DeliveryClaimer.HandOver#parameters})
     */
    public Created createDeliveries(Connection connection, List<Long> eventIds, RelayGates gates, Map<String, Object> lease)
            throws SQLException {
        if (eventIds.isEmpty()) {
            return new Created(List.of(), List.of(), 0);
        }
        Map<String, Object> parameters = new HashMap<>(lease);
        parameters.putAll(Map.of("ids", eventIds.toArray(Long[]::new),
                "delivery_open", gates.deliveryEnabled(), "live_routes", gates.liveRoutes().toArray(String[]::new),
                "sql_open", gates.sqlRoutesEnabled()));
        List<DeliveryTask> leased = new ArrayList<>();
        List<DispatchPlan.Skip> skips = new ArrayList<>();
        int leftForClaim = 0;
        try (PreparedStatement ps = CREATE_DELIVERIES.prepare(connection, parameters); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                leftForClaim = rs.getInt("left_for_claim");
                if (rs.getString("reason") != null) {
                    skips.add(new DispatchPlan.Skip(rs.getString("skipped_route"), rs.getString("reason"), rs.getInt("events")));
                } else if (rs.getObject("delivery_id") != null) {
                    leased.add(DeliveryTask.from(rs));
                }
            }
        }
        return new Created(List.copyOf(leased), List.copyOf(skips), leftForClaim);
    }
}
