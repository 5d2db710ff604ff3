package dev.iucore.pipeline.delivery;

import dev.iucore.pipeline.delivery.AttemptResult.Outcome;
import dev.iucore.pipeline.metrics.PipelineMetrics.DeliveryOutcome;
import dev.iucore.pipeline.metrics.PipelineMetrics;
import dev.iucore.pipeline.relay.DeadLetterReason;
import dev.iucore.pipeline.relay.RelayCommit;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.apache.camel.Body;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records one try in one short transaction: the attempt row, then the delivery becomes
 * {@code delivered}, {@code retrying} (exponential backoff with jitter from the route's policy) or
 * {@code dead} with a dead letter; the route's circuit counts the run of failures. It records only
 * while this process still holds the delivery's lease: when another relay reclaimed an expired
 * lease, that relay's try is the one that counts, and {@code (delivery_id, attempt_no)} is unique
 * besides, so no attempt is ever recorded twice. Once the record committed, the outcome is logged
 * (one line: delivery, event, route, attempt, outcome; DEBUG when delivered) and counted in the metrics.
 */
public final class DeliveryRecorder {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryRecorder.class);

    /**
     * The whole record in one statement, for the hot path: the delivery's new state (only while this
     * process holds its lease and nobody recorded in between), its attempt row, and on success a
     * circuit that is not closed yet closes. A plain UPDATE whose WHERE fails locks nothing, so the
     * successes of a healthy route never queue on its circuit row.
     */
    static final String RECORD = """
            WITH delivery AS (
                UPDATE iu_route_delivery
                   SET attempts = ?, status = ?, next_attempt_at = now() + ? * interval '1 millisecond',
                       locked_by = NULL, locked_until = NULL, last_error = ?, updated_at = now(),
                       delivered_at = CASE WHEN ? = 'delivered' THEN now() END
                 WHERE id = ? AND locked_by = ? AND attempts = ?
                RETURNING id, route_key),
            attempt AS (
                INSERT INTO iu_route_attempt (delivery_id, attempt_no, outcome, http_status, error_class, error_text,
                                              latency_ms, node)
                SELECT id, ?, ?, ?, ?, ?, ?, ? FROM delivery
                RETURNING delivery_id),
            circuit AS (
                UPDATE iu_route_circuit c
                   SET state = 'closed', consecutive_failures = 0, opened_at = NULL, next_probe_at = NULL,
                       updated_at = now()
                  FROM delivery
                 WHERE ? AND c.route_key = delivery.route_key AND (c.state <> 'closed' OR c.consecutive_failures > 0)
                RETURNING 1)
            SELECT (SELECT count(*) FROM attempt)""";
    /** A delivery whose route is gone: dead, with no attempt, while this process holds its lease. */
    static final String SETTLE_DEAD = """
            UPDATE iu_route_delivery
               SET status = 'dead', locked_by = NULL, locked_until = NULL, last_error = ?, updated_at = now()
             WHERE id = ? AND locked_by = ?""";
    static final String CIRCUIT_FAILURE = """
            INSERT INTO iu_route_circuit AS c (route_key, state, consecutive_failures, opened_at, next_probe_at)
            VALUES (?, CASE WHEN 1 >= ? THEN 'open' ELSE 'closed' END, 1,
                    CASE WHEN 1 >= ? THEN now() END, CASE WHEN 1 >= ? THEN now() + ? * interval '1 millisecond' END)
            ON CONFLICT (route_key) DO UPDATE
               SET consecutive_failures = c.consecutive_failures + 1,
                   state = CASE WHEN c.consecutive_failures + 1 >= ? THEN 'open' ELSE c.state END,
                   opened_at = CASE WHEN c.consecutive_failures + 1 >= ? AND c.state <> 'open' THEN now()
                                    ELSE c.opened_at END,
                   next_probe_at = CASE WHEN c.consecutive_failures + 1 >= ? THEN now() + ? * interval '1 millisecond'
                                        ELSE c.next_probe_at END,
                   updated_at = now()""";

    private final DataSource dataSource;
    private final String node;
    private final PipelineMetrics metrics;

    public DeliveryRecorder(DataSource dataSource, String node, PipelineMetrics metrics) {
        this.dataSource = dataSource;
        this.node = node;
        this.metrics = metrics;
    }

    /**
     * The route's step after the target's choice: records the attempt's result in one short
     * transaction, or in the one the target left open (an SQL action's, whose writes commit with it).
     */
    public void record(@Body DeliveryAttempt attempt) throws SQLException {
        Connection open = attempt.transaction();
        try (Connection c = open != null ? open : dataSource.getConnection()) {
            if (open == null) {
                RelayCommit.begin(c);
            }
            try {
                Recorded recorded = record(c, attempt.getTask(), attempt.result());
                c.commit();
                announce(recorded);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** The route row is gone: no try is possible; the delivery is dead-lettered as route_removed. */
    public void routeRemoved(@Body DeliveryAttempt attempt) throws SQLException {
        DeliveryTask task = attempt.getTask();
        String error = "route " + task.routeKey() + " no longer exists";
        try (Connection c = dataSource.getConnection()) {
            RelayCommit.begin(c);
            int settled;
            try (PreparedStatement ps = c.prepareStatement(SETTLE_DEAD)) {
                ps.setString(1, error);
                ps.setLong(2, task.deliveryId());
                ps.setString(3, node);
                settled = ps.executeUpdate();
            }
            if (settled == 1) {
                DeadLetterRecorder.insert(c, task.deliveryId(), task.eventId(), task.routeKey(),
                        DeadLetterReason.ROUTE_REMOVED, error);
            } else {
                lostLease(task);
            }
            c.commit();
            if (settled == 1) {
                announce(new Recorded(task, null, null, DeadLetterReason.ROUTE_REMOVED));
            }
        }
    }

    /** @return what was recorded, or null when this process no longer holds the lease and nothing was */
    private Recorded record(Connection c, DeliveryTask task, AttemptResult result) throws SQLException {
        int attemptNo = task.attemptsSoFar() + 1;
        DeadLetterReason reason = deadReason(task, result, attemptNo);
        String status = result.delivered() ? "delivered" : reason != null ? "dead" : "retrying";
        long delayMs = "retrying".equals(status) ? Backoff.delayMs(task, attemptNo) : 0;
        int recorded;
        try (PreparedStatement ps = c.prepareStatement(RECORD)) {
            ps.setInt(1, attemptNo);
            ps.setString(2, status);
            ps.setLong(3, delayMs);
            ps.setString(4, result.delivered() ? null : result.errorText());
            ps.setString(5, status);
            ps.setLong(6, task.deliveryId());
            ps.setString(7, node);
            ps.setInt(8, task.attemptsSoFar());
            ps.setInt(9, attemptNo);
            ps.setString(10, result.outcome().sqlName());
            ps.setObject(11, result.httpStatus());
            ps.setString(12, result.errorClass());
            ps.setString(13, result.errorText());
            ps.setLong(14, result.latencyMs());
            ps.setString(15, node);
            ps.setBoolean(16, result.delivered() && !task.isSqlAction());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                recorded = rs.getInt(1);
            }
        }
        if (recorded == 0) {
            lostLease(task);
            return null;
        }
        if (reason != null) {
            DeadLetterRecorder.insert(c, task.deliveryId(), task.eventId(), task.routeKey(), reason, result.errorText());
        }
        if (result.outcome().retryable() && !task.isSqlAction()) {
            openOnFailures(c, task);
        }
        return new Recorded(task, attemptNo, result, reason);
    }

    /**
     * After the commit: one log line per outcome (with the event id, route key, attempt and
     * outcome also as key-value pairs, which the JSON log format carries as fields) and the metrics.
     * Null (a lost lease) announces nothing: that try is another relay's to count.
     */
    private void announce(Recorded recorded) {
        if (recorded == null) {
            return;
        }
        DeliveryTask task = recorded.task();
        String outcome = recorded.result() == null ? "not_tried" : recorded.result().outcome().sqlName();
        DeliveryOutcome state = recorded.result() != null && recorded.result().delivered() ? DeliveryOutcome.DELIVERED
                : recorded.reason() == null ? DeliveryOutcome.RETRYING : DeliveryOutcome.DEAD;
        // a delivered try logs at DEBUG: the metrics count them, and a line each is a cost on the hot
        // path; what needs an operator's eye (a retry, a dead letter) stays at INFO
        (state == DeliveryOutcome.DELIVERED ? LOG.atDebug() : LOG.atInfo()).addKeyValue("event_id", task.eventId()).addKeyValue("route_key", task.routeKey())
                .addKeyValue("attempt", recorded.attemptNo()).addKeyValue("outcome", outcome)
                .log("delivery {} event {} route {} attempt {}: {}{}", task.deliveryId(), task.eventId(), task.routeKey(),
                        recorded.attemptNo() == null ? "-" : recorded.attemptNo(), outcome,
                        recorded.reason() == null ? "" : " -> dead (" + recorded.reason().sqlName() + ")");
        metrics.delivery(task.routeKey(), state, recorded.result() == null ? null : recorded.result().latencyMs());
    }

    /** One recorded outcome: a try (attempt and result), or a delivery settled without one (both null). */
    record Recorded(DeliveryTask task, Integer attemptNo, AttemptResult result, DeadLetterReason reason) {
    }

    /** Null while the delivery may be tried again. */
    private static DeadLetterReason deadReason(DeliveryTask task, AttemptResult result, int attemptNo) {
        if (result.delivered()) {
            return null;
        }
        if (result.outcome() == Outcome.REJECTED) {
            return DeadLetterReason.TARGET_SCHEME_REJECTED;
        }
        if (result.outcome() == Outcome.PERMANENT_FAILURE) {
            return task.isSqlAction() ? DeadLetterReason.ACTION_FAILED : DeadLetterReason.PERMANENT_FAILURE;
        }
        if (attemptNo >= task.maxAttempts()) {
            return task.isSqlAction() ? DeadLetterReason.ACTION_FAILED : DeadLetterReason.ATTEMPTS_EXHAUSTED;
        }
        return null;
    }

    private static void lostLease(DeliveryTask task) {
        LOG.warn("delivery {} route {}: this process no longer holds its lease (another relay reclaimed it); not recorded",
                task.deliveryId(), task.routeKey());
    }

    /** Counts a retryable failure; at the route's threshold its circuit opens for circuit_open_ms. */
    private static void openOnFailures(Connection c, DeliveryTask task) throws SQLException {
        int threshold = task.circuitFailureThreshold();
        long openMs = task.circuitOpenMs();
        try (PreparedStatement ps = c.prepareStatement(CIRCUIT_FAILURE)) {
            ps.setString(1, task.routeKey());
            ps.setInt(2, threshold);
            ps.setInt(3, threshold);
            ps.setInt(4, threshold);
            ps.setLong(5, openMs);
            ps.setInt(6, threshold);
            ps.setInt(7, threshold);
            ps.setInt(8, threshold);
            ps.setLong(9, openMs);
            ps.executeUpdate();
        }
    }
}
