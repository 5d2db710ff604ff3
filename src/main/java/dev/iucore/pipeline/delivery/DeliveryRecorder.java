package dev.iucore.pipeline.delivery;

import dev.iucore.pipeline.db.NamedSql;
import dev.iucore.pipeline.delivery.AttemptResult.Outcome;
import dev.iucore.pipeline.metrics.PipelineMetrics.DeliveryOutcome;
import dev.iucore.pipeline.metrics.PipelineMetrics;
import dev.iucore.pipeline.relay.DeadLetterReason;
import dev.iucore.pipeline.relay.GroupCommit;
import dev.iucore.pipeline.relay.RelayCommit;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records each try in one short transaction shared with the tries other workers finished meanwhile
 * (group commit): the attempt row, then the delivery becomes {@code delivered}, {@code retrying} (exponential backoff with jitter from the route's policy) or
 * {@code dead} with a dead letter; the route's circuit counts the run of failures. It records only
 * while this process still holds the delivery's lease: when another relay reclaimed an expired
 * lease, that relay's try is the one that counts, and {@code (delivery_id, attempt_no)} is unique
 * besides, so no attempt is ever recorded twice. Once the record committed, the outcome is logged
 * (one line: delivery, event, route, attempt, outcome; DEBUG when delivered) and counted in the metrics.
 */
public final class DeliveryRecorder extends AsyncProcessorSupport {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryRecorder.class);

    private static final NamedSql RECORD = NamedSql.load(DeliveryRecorder.class, "record.sql");
    /** Most tries one group commit writes: a handful of workers' worth, never an unbounded statement. */
    private static final int MAX_GROUP = 256;

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
    private final GroupCommit<DeliveryAttempt, Recorded> groups;

    public DeliveryRecorder(DataSource dataSource, String node, PipelineMetrics metrics) {
        this.dataSource = dataSource;
        this.node = node;
        this.metrics = metrics;
        this.groups = new GroupCommit<>(dataSource, MAX_GROUP, this::record, "iu-core-delivery-recorder");
    }

    /**
     * The route's step after the target's choice: hands the attempt's result to the group commit
     * ({@link GroupCommit}: one statement and one commit with the other workers' tries that finished
     * meanwhile) and returns at once, so the worker goes on to its next try; the rest of the route
     * (the slot's release, the claimer's wake-up) continues on the committer's thread once the record
     * committed. An SQL action's result is recorded in the transaction its action left open, whose
     * writes commit with it, before this returns.
     */
    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        DeliveryAttempt attempt = exchange.getMessage().getBody(DeliveryAttempt.class);
        if (attempt.transaction() != null) {
            try {
                recordInOwnTransaction(attempt);
            } catch (SQLException | RuntimeException e) {
                exchange.setException(e);
            }
            callback.done(true);
            return true;
        }
        groups.submit(attempt, (recorded, failure) -> {
            DeliveryLogContext.enterThread(attempt.getTask());
            if (failure == null) {
                announce(attempt, recorded);
            } else {
                exchange.setException(failure);
            }
            callback.done(false);
        });
        // what this worker logs next is another delivery's
        DeliveryLogContext.leaveThread();
        return false;
    }

    /** The same record, returning once it committed. */
    public void record(DeliveryAttempt attempt) throws SQLException, InterruptedException {
        if (attempt.transaction() != null) {
            recordInOwnTransaction(attempt);
        } else {
            announce(attempt, groups.commit(attempt));
        }
    }

    private void recordInOwnTransaction(DeliveryAttempt attempt) throws SQLException {
        try (Connection open = attempt.transaction()) {
            try {
                Recorded recorded = record(open, List.of(attempt)).get(0);
                open.commit();
                announce(attempt, recorded);
            } catch (SQLException | RuntimeException e) {
                open.rollback();
                throw e;
            }
        }
    }

    /** Once the routes stopped: records what is still queued, then stops the committer's thread. */
    public void shutdownCommitter() throws InterruptedException {
        groups.close();
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
                announce(attempt, new Recorded(task, null, null, DeadLetterReason.ROUTE_REMOVED));
            }
        }
    }

    /**
     * Records the tries in one statement ({@code record.sql}), then what only some need: a dead
     * letter, a failure counted on the route's circuit. Per try: what was recorded, or null when
     * this process no longer holds the lease and nothing was.
     */
    List<Recorded> record(Connection c, List<DeliveryAttempt> attempts) throws SQLException {
        int n = attempts.size();
        Long[] ids = new Long[n];
        Integer[] attemptsBefore = new Integer[n];
        String[] statuses = new String[n];
        Long[] delays = new Long[n];
        String[] outcomes = new String[n];
        Integer[] httpStatuses = new Integer[n];
        String[] errorClasses = new String[n];
        String[] errorTexts = new String[n];
        Long[] latencies = new Long[n];
        Boolean[] closeCircuits = new Boolean[n];
        DeadLetterReason[] reasons = new DeadLetterReason[n];
        for (int i = 0; i < n; i++) {
            DeliveryTask task = attempts.get(i).getTask();
            AttemptResult result = attempts.get(i).result();
            int attemptNo = task.attemptsSoFar() + 1;
            reasons[i] = deadReason(task, result, attemptNo);
            statuses[i] = result.delivered() ? "delivered" : reasons[i] != null ? "dead" : "retrying";
            delays[i] = "retrying".equals(statuses[i]) ? Backoff.delayMs(task, attemptNo, result.retryAfterMs()) : 0L;
            ids[i] = task.deliveryId();
            attemptsBefore[i] = task.attemptsSoFar();
            outcomes[i] = result.outcome().sqlName();
            httpStatuses[i] = result.httpStatus();
            errorClasses[i] = result.errorClass();
            errorTexts[i] = result.errorText();
            latencies[i] = result.latencyMs();
            closeCircuits[i] = result.delivered() && !task.isSqlAction();
        }
        Map<String, Object> parameters = new HashMap<>();
        parameters.put("delivery_ids", ids);
        parameters.put("attempts_before", attemptsBefore);
        parameters.put("statuses", statuses);
        parameters.put("delays_ms", delays);
        parameters.put("outcomes", outcomes);
        parameters.put("http_statuses", httpStatuses);
        parameters.put("error_classes", errorClasses);
        parameters.put("error_texts", errorTexts);
        parameters.put("latencies_ms", latencies);
        parameters.put("close_circuits", closeCircuits);
        parameters.put("node", node);
        Set<Long> recorded = new HashSet<>();
        try (PreparedStatement ps = RECORD.prepare(c, parameters); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                recorded.add(rs.getLong(1));
            }
        }
        List<Recorded> results = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            DeliveryTask task = attempts.get(i).getTask();
            AttemptResult result = attempts.get(i).result();
            if (!recorded.contains(task.deliveryId())) {
                lostLease(task);
                results.add(null);
                continue;
            }
            if (reasons[i] != null) {
                DeadLetterRecorder.insert(c, task.deliveryId(), task.eventId(), task.routeKey(), reasons[i], result.errorText());
            }
            if (result.outcome().retryable() && !task.isSqlAction()) {
                openOnFailures(c, task);
            }
            results.add(new Recorded(task, task.attemptsSoFar() + 1, result, reasons[i]));
        }
        return results;
    }

    /**
     * After the commit: one log line per outcome (the outcome also as a key-value pair, which the
     * JSON log format carries as a field beside the MDC's ids) and the metrics.
     * Null (a lost lease) announces nothing: that try is another relay's to count.
     */
    private void announce(DeliveryAttempt attempt, Recorded recorded) {
        if (recorded == null) {
            return;
        }
        DeliveryTask task = recorded.task();
        String outcome = recorded.result() == null ? "not_tried" : recorded.result().outcome().sqlName();
        DeliveryOutcome state = recorded.state();
        // for the attempt's span (DeliveryAttemptSpan)
        attempt.recorded(state);
        // a delivered try logs at DEBUG: the metrics count them, and a line each is a cost on the hot
        // path; what needs an operator's eye (a retry, a dead letter) stays at INFO
        // the event id, route key, delivery id and attempt are this thread's MDC (DeliveryLogContext)
        (state == DeliveryOutcome.DELIVERED ? LOG.atDebug() : LOG.atInfo()).addKeyValue("outcome", outcome)
                .log("delivery {} event {} route {} attempt {}: {}{}", task.deliveryId(), task.eventId(), task.routeKey(),
                        recorded.attemptNo() == null ? "-" : recorded.attemptNo(), outcome,
                        recorded.reason() == null ? "" : " -> dead (" + recorded.reason().sqlName() + ")");
        metrics.delivery(task.routeKey(), state, recorded.result() == null ? null : recorded.result().latencyMs());
    }

    /** One recorded outcome: a try (attempt and result), or a delivery settled without one (both null). */
    record Recorded(DeliveryTask task, Integer attemptNo, AttemptResult result, DeadLetterReason reason) {

        DeliveryOutcome state() {
            return result != null && result.delivered() ? DeliveryOutcome.DELIVERED
                    : reason == null ? DeliveryOutcome.RETRYING : DeliveryOutcome.DEAD;
        }
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
