package dev.iucore.pipeline.delivery;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A claimed delivery with its event and its route's policy as they were at claim time; of the
 * event's {@code headers}, those that go out with it ({@link ForwardedHeaders}); of a kafka route, the
 * cluster it names ({@code kafka_cluster}, null: the default one); the longest one try of it may take
 * ({@code longestTryMs}: a webhook's connect + read timeout, its deadline body included; a Kafka send's
 * bound; 0 for a target without one), the one rule its lease was sized from too (V095); when its lease
 * ends, on this process's clock ({@code leaseEndsNanos}, {@link System#nanoTime}).
 */
public record DeliveryTask(long deliveryId, UUID eventId, String eventType, String aggregateId, String payload,
                           String routeKind, String routeKey, int attemptsSoFar, boolean routeExists,
                           String targetUri, String secretRef, Integer connectTimeoutMs, Integer readTimeoutMs,
                           int maxAttempts, int backoffInitialMs, BigDecimal backoffFactor, int backoffMaxMs,
                           Integer circuitFailureThreshold, Integer circuitOpenMs, String action,
                           Map<String, String> forwardedHeaders, String kafkaCluster, long longestTryMs,
                           long leaseEndsNanos) {

    /**
     * The row mapper of the delivery claim (claim.sql) and the dispatcher's lease (create-deliveries.sql), by column name.
     * The lease's end comes as what was left of it when the row was read ({@code lease_left_ms}): a
     * duration, so the two machines' clocks need not agree.
     */
    public static DeliveryTask from(ResultSet rs) throws SQLException {
        return new DeliveryTask(rs.getLong("delivery_id"), rs.getObject("event_id", UUID.class),
                rs.getString("event_type"), rs.getString("aggregate_id"), rs.getString("payload"),
                rs.getString("route_kind"), rs.getString("route_key"), rs.getInt("attempts"),
                rs.getBoolean("route_exists"), rs.getString("target_uri"), rs.getString("secret_ref"),
                (Integer) rs.getObject("connect_timeout_ms"), (Integer) rs.getObject("read_timeout_ms"),
                rs.getInt("max_attempts"), rs.getInt("backoff_initial_ms"), rs.getBigDecimal("backoff_factor"),
                rs.getInt("backoff_max_ms"), (Integer) rs.getObject("circuit_failure_threshold"),
                (Integer) rs.getObject("circuit_open_ms"), rs.getString("action"),
                ForwardedHeaders.of(rs.getString("headers")), rs.getString("kafka_cluster"), rs.getLong("longest_try_ms"),
                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(rs.getLong("lease_left_ms")));
    }

    /** This task with other headers to send (the attempt's own trace context in place of the producer's). */
    DeliveryTask withForwardedHeaders(Map<String, String> headers) {
        return new DeliveryTask(deliveryId, eventId, eventType, aggregateId, payload, routeKind, routeKey, attemptsSoFar,
                routeExists, targetUri, secretRef, connectTimeoutMs, readTimeoutMs, maxAttempts, backoffInitialMs,
                backoffFactor, backoffMaxMs, circuitFailureThreshold, circuitOpenMs, action,
                Collections.unmodifiableMap(new LinkedHashMap<>(headers)), kafkaCluster, longestTryMs, leaseEndsNanos);
    }

    /** What is left of its lease now, in ms; negative once it ran out. */
    long leaseLeftMs() {
        return TimeUnit.NANOSECONDS.toMillis(leaseEndsNanos - System.nanoTime());
    }

    public boolean isSqlAction() {
        return "sql".equals(routeKind);
    }

    /** The Standard Webhooks {@code webhook-id}: stable per event x route, the integrator's idempotency key. */
    public String webhookId() {
        return "msg_" + eventId + "_" + routeKey;
    }
}
