package dev.iucore.pipeline.delivery;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Reads the route table as an operator sees it, from the {@code iu_core_route_status} view. */
public final class RouteStatusReader {

    static final String LIST = """
            SELECT route_key, route_kind, event_type, target, enabled, live, state, ordered, max_attempts,
                   rate_limit_per_second, circuit_state, consecutive_failures, circuit_failure_threshold,
                   next_probe_at, deliveries_pending, deliveries_retrying, dead_letters_open, blocked_by,
                   events_skipped, last_skip_reason, last_skipped_at,
                   CASE WHEN s.route_kind = 'outbound'
                        THEN (SELECT o.kafka_cluster FROM iu_outbound_route o WHERE o.route_key = s.route_key)
                   END AS kafka_cluster
              FROM iu_core_route_status s
             WHERE (?::text IS NULL OR event_type = ?)
             ORDER BY route_kind = 'removed', event_type, route_key""";

    private final DataSource dataSource;

    public RouteStatusReader(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Every route, or those of one event type when {@code eventType} is not null. */
    public List<RouteStatus> list(String eventType) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(LIST)) {
            ps.setString(1, eventType);
            ps.setString(2, eventType);
            List<RouteStatus> routes = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    routes.add(new RouteStatus(rs.getString("route_key"), rs.getString("route_kind"),
                            rs.getString("event_type"), TargetUriMask.masked(rs.getString("target")), rs.getBoolean("enabled"),
                            rs.getBoolean("live"), rs.getString("state"), rs.getBoolean("ordered"),
                            (Integer) rs.getObject("max_attempts"), rs.getBigDecimal("rate_limit_per_second"),
                            rs.getString("circuit_state"), rs.getInt("consecutive_failures"),
                            (Integer) rs.getObject("circuit_failure_threshold"),
                            rs.getObject("next_probe_at", OffsetDateTime.class), rs.getLong("deliveries_pending"),
                            rs.getLong("deliveries_retrying"), rs.getLong("dead_letters_open"), rs.getString("blocked_by"),
                            rs.getLong("events_skipped"), rs.getString("last_skip_reason"),
                            rs.getObject("last_skipped_at", OffsetDateTime.class), rs.getString("kafka_cluster")));
                }
            }
            return routes;
        }
    }

    /**
     * One route. {@code state}: {@code delivering}; {@code gated} (delivery_enabled closed, or the
     * route not allowed by delivery_live_routes / sql_routes_enabled); {@code disabled} (its row's
     * enabled flag); {@code paused} (circuit open until {@code nextProbeAt}); {@code probing} (one
     * probe delivery at a time); {@code removed} (the row is gone, deliveries of it are still open).
     * {@code blockedBy}: what stops it now (delivery_closed, route_disabled, not_live, sql_routes_closed);
     * {@code eventsSkipped}: events dispatched while it was not allowed, which got no delivery of it.
     * {@code kafkaCluster}: the cluster a kafka route names (null: the default one).
     */
    public record RouteStatus(String routeKey, String kind, String eventType, String target, boolean enabled,
                              boolean live, String state, boolean ordered, Integer maxAttempts,
                              BigDecimal rateLimitPerSecond, String circuitState, int consecutiveFailures,
                              Integer circuitFailureThreshold, OffsetDateTime nextProbeAt, long deliveriesPending,
                              long deliveriesRetrying, long deadLettersOpen, String blockedBy, long eventsSkipped,
                              String lastSkipReason, OffsetDateTime lastSkippedAt, String kafkaCluster) {
    }
}
