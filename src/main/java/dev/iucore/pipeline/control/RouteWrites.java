package dev.iucore.pipeline.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.iucore.pipeline.delivery.TargetRules;
import dev.iucore.pipeline.delivery.TargetUriMask;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Adds, changes, enables and disables routes through the audited functions of migration V090 (the
 * runtime role has no DML on the route tables). Before a route is written, the route as it would be
 * is checked as the relay checks a target before it delivers ({@link TargetRules}): refused, the
 * function is not called and nothing is written.
 */
public final class RouteWrites {

    static final String CREATE = "SELECT * FROM fn_iu_core_route_create(?, ?::jsonb, ?, ?)";
    static final String UPDATE = "SELECT * FROM fn_iu_core_route_update(?, ?::jsonb, ?, ?)";
    static final String CURRENT = "SELECT target_uri, secret_ref FROM iu_outbound_route WHERE route_key = ?";
    static final String SET_ENABLED = "SELECT route_kind, was_enabled, enabled FROM fn_iu_core_route_set_enabled(?, ?, ?, ?)";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DataSource dataSource;
    private final TargetRules rules;

    public RouteWrites(DataSource dataSource, TargetRules rules) {
        this.dataSource = dataSource;
        this.rules = rules;
    }

    /**
     * A new outbound route from {@code fields} (columns of {@code iu_outbound_route}; a null or absent
     * one takes its default). {@code targetKind} ({@code webhook}, {@code kafka}, {@code log}) may be
     * null; given, it must be the target's.
     */
    public Route add(String routeKey, Map<String, Object> fields, String targetKind, String actor, String reason,
                     boolean dryRun) throws SQLException {
        return write(CREATE, routeKey, fields, targetKind, actor, reason, dryRun, c -> refuse(fields.get("target_uri"),
                targetKind, fields.get("secret_ref")));
    }

    /** Changes the columns in {@code fields} (a null value clears one that may be empty); the route as it then is. */
    public Route change(String routeKey, Map<String, Object> fields, String targetKind, String actor, String reason,
                        boolean dryRun) throws SQLException {
        return write(UPDATE, routeKey, fields, targetKind, actor, reason, dryRun, c -> {
            // judged with what it keeps: a new target with the old secret reference, or the reverse
            try (PreparedStatement ps = c.prepareStatement(CURRENT)) {
                ps.setString(1, routeKey);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        refuse(fields.containsKey("target_uri") ? fields.get("target_uri") : rs.getString("target_uri"),
                                targetKind, fields.containsKey("secret_ref") ? fields.get("secret_ref") : rs.getString("secret_ref"));
                    }
                    // no such route: the function says so
                }
            }
        });
    }

    private void refuse(Object target, String targetKind, Object secretRef) {
        String refusal = rules.refusal((String) target, targetKind, (String) secretRef);
        if (refusal != null) {
            throw new TargetRefusedException(refusal);
        }
    }

    private Route write(String sql, String routeKey, Map<String, Object> fields, String targetKind, String actor,
                        String reason, boolean dryRun, ControlWrite.Check check) throws SQLException {
        String json;
        try {
            json = JSON.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("route fields are not JSON: " + e.getMessage(), e);
        }
        return ControlWrite.call(dataSource, check, sql, ps -> {
            ps.setString(1, routeKey);
            ps.setString(2, json);
            ps.setString(3, actor);
            ps.setString(4, reason);
        }, Route::of, dryRun);
    }

    /** Turns an outbound or SQL route on or off. */
    public Toggle setEnabled(String routeKey, boolean enabled, String actor, String reason) throws SQLException {
        return ControlWrite.call(dataSource, c -> { }, SET_ENABLED, ps -> {
            ps.setString(1, routeKey);
            ps.setBoolean(2, enabled);
            ps.setString(3, actor);
            ps.setString(4, reason);
        }, row -> new Toggle(routeKey, row.getString("route_kind"), row.getBoolean("was_enabled"),
                row.getBoolean("enabled")), false);
    }

    /**
     * An outbound route as written, named as {@code GET /api/v1/routes} names its fields: {@code target}
     * masked as {@code routes list} shows it, {@code secretRef} only the variable's name.
     */
    public record Route(String routeKey, String eventType, String target, String targetKind, boolean enabled,
                        String secretRef, String kafkaCluster, int maxAttempts, int backoffInitialMs,
                        BigDecimal backoffFactor, int backoffMaxMs, boolean ordered, int connectTimeoutMs,
                        int readTimeoutMs, int circuitFailureThreshold, int circuitOpenMs,
                        BigDecimal rateLimitPerSecond, String description, OffsetDateTime updatedAt) {

        static Route of(ResultSet rs) throws SQLException {
            String target = rs.getString("target_uri");
            return new Route(rs.getString("route_key"), rs.getString("event_type"), TargetUriMask.masked(target),
                    TargetRules.targetKind(target), rs.getBoolean("enabled"), rs.getString("secret_ref"),
                    rs.getString("kafka_cluster"), rs.getInt("max_attempts"), rs.getInt("backoff_initial_ms"),
                    rs.getBigDecimal("backoff_factor"), rs.getInt("backoff_max_ms"), rs.getBoolean("ordered"),
                    rs.getInt("connect_timeout_ms"), rs.getInt("read_timeout_ms"), rs.getInt("circuit_failure_threshold"),
                    rs.getInt("circuit_open_ms"), rs.getBigDecimal("rate_limit_per_second"),
                    rs.getString("description"), rs.getObject("updated_at", OffsetDateTime.class));
        }
    }

    /** What enable or disable did: {@code kind} outbound or sql. */
    public record Toggle(String routeKey, String kind, boolean wasEnabled, boolean enabled) {

        public boolean changed() {
            return wasEnabled != enabled;
        }
    }

    /** The target breaks a rule the relay applies; the message is the relay's own. */
    public static final class TargetRefusedException extends RuntimeException {
        TargetRefusedException(String message) {
            super(message);
        }
    }
}
