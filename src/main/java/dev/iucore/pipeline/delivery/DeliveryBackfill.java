package dev.iucore.pipeline.delivery;

import dev.iucore.pipeline.db.NamedSql;
import dev.iucore.pipeline.gates.Gate;
import dev.iucore.pipeline.gates.GateService;
import dev.iucore.pipeline.relay.RouteBlock;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongConsumer;
import javax.sql.DataSource;

/**
 * Creates the deliveries one route is missing for the events of its type dispatched in a time
 * window: what the relay skipped while the route was not allowed (unlisted, disabled, its gate
 * closed). Only while the route is allowed now, by the rules the dispatcher applies today; never a
 * second delivery of an event to a route (the unique index on event x route). Chunks of
 * {@value #CHUNK} events, each its own transaction, oldest first: interrupted, a second run does the
 * rest and nothing twice.
 */
public final class DeliveryBackfill {

    static final int CHUNK = 500;
    private static final NamedSql CREATE = NamedSql.load(DeliveryBackfill.class, "backfill.sql");

    /** The route as the rule (fn_iu_core_route_permissions) judges it now, with its event type's registration. */
    static final String ROUTE = """
            SELECT p.route_kind, p.event_type, p.blocked_by, t.enabled AS type_enabled, t.internal_only
              FROM fn_iu_core_route_permissions_now() p
              LEFT JOIN event_type_registry t ON t.event_type = p.event_type
             WHERE p.route_key = ?""";
    static final String WINDOW = """
            SELECT count(*) AS dispatched,
                   count(*) FILTER (WHERE EXISTS (SELECT 1 FROM iu_route_delivery d
                                                   WHERE d.outbox_id = e.id AND d.route_key = ?
                                                     AND d.replay_of IS NULL)) AS with_delivery
              FROM event_outbox e
             WHERE e.status = 'dispatched' AND e.event_type = ?
               AND e.dispatched_at >= ? AND (CAST(? AS timestamptz) IS NULL OR e.dispatched_at < ?)""";

    private final DataSource dataSource;

    public DeliveryBackfill(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** What the window holds for the route now; refused (with the reason) when the route is not allowed now. */
    public Plan plan(String routeKey, OffsetDateTime since, OffsetDateTime until) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Route route = route(c, routeKey);
            try (PreparedStatement ps = c.prepareStatement(WINDOW)) {
                ps.setString(1, routeKey);
                ps.setString(2, route.eventType());
                ps.setObject(3, since);
                ps.setObject(4, until);
                ps.setObject(5, until);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    long dispatched = rs.getLong(1);
                    long withDelivery = rs.getLong(2);
                    return new Plan(routeKey, route.kind(), route.eventType(), since, until, dispatched, withDelivery,
                            dispatched - withDelivery, route.refusal(routeKey));
                }
            }
        }
    }

    /** Is {@code dead_letter_replay_enabled}, the gate of every recovery that sends old events again, open? */
    public boolean allowed() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return GateService.isOpen(c, Gate.DEAD_LETTER_REPLAY_ENABLED);
        }
    }

    /**
     * Creates at most {@code limit} missing deliveries for an allowed plan; {@code created} hears of
     * each chunk's count. The route is judged again in each chunk's transaction: closed meanwhile,
     * the run stops there. Returns how many were created.
     */
    public long run(Plan plan, int limit, LongConsumer created) throws SQLException {
        long total = 0;
        long after = 0;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            while (total < limit) {
                String refusal = route(c, plan.routeKey()).refusal(plan.routeKey());
                if (refusal != null) {
                    c.rollback();
                    throw new BackfillRefused("stopped after " + total + " created: " + refusal);
                }
                Map<String, Object> parameters = new HashMap<>();
                parameters.put("event_type", plan.eventType());
                parameters.put("route_key", plan.routeKey());
                parameters.put("route_kind", plan.routeKind());
                parameters.put("since", plan.since());
                parameters.put("until", plan.until());
                parameters.put("after", after);
                parameters.put("chunk", (int) Math.min(CHUNK, limit - total));
                long events;
                long made;
                try (PreparedStatement ps = CREATE.prepare(c, parameters); ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    after = rs.getLong(1);
                    events = rs.getLong(2);
                    made = rs.getLong(3);
                }
                c.commit();
                total += made;
                created.accept(made);
                if (events == 0) {
                    break;
                }
            }
        }
        return total;
    }

    private static Route route(Connection c, String routeKey) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(ROUTE)) {
            ps.setString(1, routeKey);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new BackfillRefused("no route " + routeKey + " in iu_outbound_route or iu_sql_event_route;"
                            + " `iu-core routes list` shows them");
                }
                Route route = new Route(rs.getString(1), rs.getString(2), rs.getString(3), (Boolean) rs.getObject(4),
                        Boolean.TRUE.equals(rs.getObject(5)));
                if (rs.next()) {
                    throw new BackfillRefused("route key " + routeKey + " names both an outbound and an SQL route;"
                            + " rename one of them first");
                }
                return route;
            }
        }
    }

    /** One route as the backfill judges it. */
    private record Route(String kind, String eventType, String blockedBy, Boolean typeEnabled, boolean internalOnly) {

        /** Why the dispatcher would not create this route's delivery today; null when it would. */
        String refusal(String routeKey) {
            if (internalOnly) {
                return "event type " + eventType + " is internal-only: it is never delivered";
            }
            if (typeEnabled == null || !typeEnabled) {
                return "event type " + eventType + " is " + (typeEnabled == null ? "not registered" : "disabled");
            }
            if ("route_disabled".equals(blockedBy)) {
                return RouteBlock.explain(blockedBy, routeKey) + ": what it skipped meanwhile was skipped on purpose;"
                        + " enable it first (as the owner role, audited) if those events should go after all";
            }
            return RouteBlock.explain(blockedBy, routeKey);
        }
    }

    /** A window of one route: its dispatched events, those with the route's delivery, the missing ones. */
    public record Plan(String routeKey, String routeKind, String eventType, OffsetDateTime since, OffsetDateTime until,
                       long eventsDispatched, long withDelivery, long missing, String refusal) {
    }

    /** The route is unknown, or not allowed now: nothing (more) is created. */
    public static final class BackfillRefused extends RuntimeException {
        BackfillRefused(String message) {
            super(message);
        }
    }
}
