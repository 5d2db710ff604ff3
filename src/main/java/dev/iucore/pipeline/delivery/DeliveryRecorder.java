package dev.iucore.pipeline.delivery;

import dev.iucore.pipeline.delivery.AttemptResult.Outcome;
import dev.iucore.pipeline.outbox.RelayCommit;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records one try in one short transaction: the attempt row, then the delivery becomes
 * {@code delivered}, {@code retrying} (exponential backoff with jitter from the route's policy) or
 * {@code dead} with a dead letter; the route's circuit counts the run of failures. It records only
 * while this process still holds the delivery's lease: when another relay reclaimed an expired
 * lease, that relay's try is the one that counts, and {@code (delivery_id, attempt_no)} is unique
 * besides, so no attempt is ever recorded twice.
 */
public final class DeliveryRecorder {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryRecorder.class);

    static final String LOCK = "SELECT attempts, locked_by FROM iu_route_delivery WHERE id = ? FOR UPDATE";
    static final String INSERT_ATTEMPT = """
            INSERT INTO iu_route_attempt (delivery_id, attempt_no, outcome, http_status, error_class, error_text,
                                          latency_ms, node)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)""";
    static final String UPDATE_DELIVERY = """
            UPDATE iu_route_delivery
               SET attempts = ?, status = ?, next_attempt_at = now() + ? * interval '1 millisecond',
                   locked_by = NULL, locked_until = NULL, last_error = ?, updated_at = now(),
                   delivered_at = CASE WHEN ? = 'delivered' THEN now() END
             WHERE id = ?""";
    // a plain UPDATE whose WHERE fails locks nothing: concurrent successes of one healthy route never
    // queue on its circuit row (an upsert would lock it for every one of them); no row reads as closed
    static final String CIRCUIT_SUCCESS = """
            UPDATE iu_route_circuit
               SET state = 'closed', consecutive_failures = 0, opened_at = NULL, next_probe_at = NULL, updated_at = now()
             WHERE route_key = ? AND (state <> 'closed' OR consecutive_failures > 0)""";
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

    public DeliveryRecorder(DataSource dataSource, String node) {
        this.dataSource = dataSource;
        this.node = node;
    }

    /** The route's step after a sender: records the result the sender left on the exchange. */
    public void record(Exchange exchange) throws SQLException {
        record(task(exchange), exchange.getProperty(AttemptResult.PROPERTY, AttemptResult.class));
    }

    /** After a successful send through a Camel endpoint (kafka). */
    public void delivered(Exchange exchange) throws SQLException {
        record(task(exchange), AttemptResult.delivered(null, 0));
    }

    /** After a send through a Camel endpoint failed: the caught exception is the error. */
    public void failed(Exchange exchange) throws SQLException {
        Throwable error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        record(task(exchange), error == null
                ? AttemptResult.failed(Outcome.FAILED, null, "Unknown", "the send failed", 0)
                : AttemptResult.failed(Outcome.FAILED, error, 0));
    }

    /** A target outside the scheme allowlist: one rejected attempt and a dead letter, nothing resolved. */
    public void rejectScheme(Exchange exchange) throws SQLException {
        DeliveryTask task = task(exchange);
        record(task, AttemptResult.failed(Outcome.REJECTED, null, "SchemeRejected", "target scheme of \""
                + task.targetUri() + "\" is not one of " + DeliveryTargets.ALLOWED_SCHEMES + "; not resolved", 0));
    }

    /** The route row is gone: no try is possible; the delivery is dead-lettered as route_removed. */
    public void routeRemoved(Exchange exchange) throws SQLException {
        DeliveryTask task = task(exchange);
        try (Connection c = dataSource.getConnection()) {
            RelayCommit.begin(c);
            if (holdsLease(c, task) != null) {
                update(c, task, task.attemptsSoFar(), "dead", 0, "route " + task.routeKey() + " no longer exists");
                DeadLetterRecorder.insert(c, task.deliveryId(), task.eventId(), task.routeKey(),
                        DeadLetterReason.ROUTE_REMOVED, "route " + task.routeKey() + " no longer exists");
            }
            c.commit();
        }
    }

    void record(DeliveryTask task, AttemptResult result) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            RelayCommit.begin(c);
            try {
                record(c, task, result);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * Records on the caller's transaction (an SQL action records with its own work).
     *
     * @return false when this process no longer holds the lease and nothing was recorded
     */
    boolean record(Connection c, DeliveryTask task, AttemptResult result) throws SQLException {
        Integer attempts = holdsLease(c, task);
        if (attempts == null) {
            return false;
        }
        int attemptNo = attempts + 1;
        try (PreparedStatement ps = c.prepareStatement(INSERT_ATTEMPT)) {
            ps.setLong(1, task.deliveryId());
            ps.setInt(2, attemptNo);
            ps.setString(3, result.outcome().sqlName());
            ps.setObject(4, result.httpStatus());
            ps.setString(5, result.errorClass());
            ps.setString(6, result.errorText());
            ps.setLong(7, result.latencyMs());
            ps.setString(8, node);
            ps.executeUpdate();
        }
        DeadLetterReason reason = deadReason(task, result, attemptNo);
        if (result.delivered()) {
            update(c, task, attemptNo, "delivered", 0, null);
        } else if (reason != null) {
            update(c, task, attemptNo, "dead", 0, result.errorText());
            DeadLetterRecorder.insert(c, task.deliveryId(), task.eventId(), task.routeKey(), reason, result.errorText());
        } else {
            update(c, task, attemptNo, "retrying", Backoff.delayMs(task, attemptNo), result.errorText());
        }
        if (!task.isSqlAction()) {
            circuit(c, task, result);
        }
        LOG.info("delivery {} event {} route {} attempt {}: {}{}", task.deliveryId(), task.eventId(), task.routeKey(),
                attemptNo, result.outcome().sqlName(), reason == null ? "" : " -> dead (" + reason.sqlName() + ")");
        return true;
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

    /** The delivery's attempts so far when this process holds its lease; null when it does not any more. */
    private Integer holdsLease(Connection c, DeliveryTask task) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(LOCK)) {
            ps.setLong(1, task.deliveryId());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && node.equals(rs.getString(2))) {
                    return rs.getInt(1);
                }
            }
        }
        LOG.warn("delivery {} route {}: this process lost its lease (another relay reclaimed it); not recorded",
                task.deliveryId(), task.routeKey());
        return null;
    }

    private static void update(Connection c, DeliveryTask task, int attempts, String status, long delayMs, String error)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(UPDATE_DELIVERY)) {
            ps.setInt(1, attempts);
            ps.setString(2, status);
            ps.setLong(3, delayMs);
            ps.setString(4, AttemptResult.bounded(error));
            ps.setString(5, status);
            ps.setLong(6, task.deliveryId());
            ps.executeUpdate();
        }
    }

    private static void circuit(Connection c, DeliveryTask task, AttemptResult result) throws SQLException {
        if (result.delivered()) {
            try (PreparedStatement ps = c.prepareStatement(CIRCUIT_SUCCESS)) {
                ps.setString(1, task.routeKey());
                ps.executeUpdate();
            }
        } else if (result.outcome().retryable()) {
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

    private static DeliveryTask task(Exchange exchange) {
        return exchange.getProperty(DeliveryTask.PROPERTY, DeliveryTask.class);
    }
}
