package dev.iucore.pipeline.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.iucore.pipeline.delivery.AttemptResult.Outcome;
import dev.iucore.pipeline.metrics.PipelineMetrics;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.relay.RelayCommit;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.StaleStatistics;
import dev.iucore.pipeline.testing.TestDb;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The delivery recorder alone, on the real database with no relay running: tries finished by many
 * workers at once are each recorded exactly once (group commit), a try whose lease another relay
 * took is not recorded while the rest of its group is, and a failure is recorded as a retry.
 */
class DeliveryRecorderTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final String NODE = "recorder-test";
    private static final String ROUTE = "recorder-hook";

    private final PipelineMetrics metrics = new PipelineMetrics(new SimpleMeterRegistry());
    private final DeliveryClaimer claimer = new DeliveryClaimer(DB.db().runtime(), NODE, 500, 1L << 30,
            new RouteWindows(500, 500, 1000), 60_000, 31_000, () -> 250, metrics);
    private final DeliveryRecorder recorder = new DeliveryRecorder(DB.db().runtime(), NODE, metrics);

    @BeforeAll
    static void routeTable() {
        new RelayData(DB.db()).registerType("test.recorder", "live").route(ROUTE, "test.recorder", "log:recorder",
                Map.of("max_attempts", 3));
    }

    @BeforeEach
    void noOpenDeliveries() {
        db().update("DELETE FROM iu_route_delivery WHERE route_key = ?", ROUTE);
        new RelayData(db()).openGates(false, ROUTE);
    }

    private static TestDb db() {
        return DB.db();
    }

    @Test
    void triesFinishedTogetherAreEachRecordedOnceWithTheirAttempt() throws Exception {
        List<DeliveryTask> tasks = claimed(200);
        ExecutorService workers = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (DeliveryTask task : tasks) {
                done.add(workers.submit(() -> {
                    recorder.record(attempt(task, AttemptResult.delivered(204, 3)));
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            workers.shutdown();
        }
        assertThat(db().queryLong("SELECT count(*) FROM iu_route_delivery WHERE route_key = ? AND status = 'delivered'"
                + " AND attempts = 1 AND locked_by IS NULL AND delivered_at IS NOT NULL", ROUTE)).isEqualTo(200);
        assertThat(db().queryLong("""
                SELECT count(*) FROM iu_route_attempt a JOIN iu_route_delivery d ON d.id = a.delivery_id
                 WHERE d.route_key = ? AND a.attempt_no = 1 AND a.outcome = 'delivered' AND a.http_status = 204
                   AND a.node = ?""", ROUTE, NODE)).isEqualTo(200);
        assertThat(db().queryLong("""
                SELECT count(*) FROM (SELECT delivery_id FROM iu_route_attempt a JOIN iu_route_delivery d ON d.id = a.delivery_id
                                       WHERE d.route_key = ? GROUP BY delivery_id HAVING count(*) > 1) twice""", ROUTE))
                .as("no attempt recorded twice").isZero();
    }

    @Test
    void aTryWhoseLeaseAnotherRelayTookIsNotRecordedAndTheRestOfItsGroupIs() throws Exception {
        List<DeliveryTask> tasks = claimed(2);
        DeliveryTask reclaimed = tasks.get(0);
        db().update("UPDATE iu_route_delivery SET locked_by = 'another-relay' WHERE id = ?", reclaimed.deliveryId());

        recorder.record(attempt(reclaimed, AttemptResult.delivered(200, 1)));
        recorder.record(attempt(tasks.get(1), AttemptResult.delivered(200, 1)));

        Map<String, Object> lost = db().query("SELECT status, attempts, locked_by FROM iu_route_delivery WHERE id = ?",
                reclaimed.deliveryId()).get(0);
        assertThat(lost).containsEntry("status", "pending").containsEntry("attempts", 0).containsEntry("locked_by", "another-relay");
        assertThat(db().queryLong("SELECT count(*) FROM iu_route_attempt WHERE delivery_id = ?", reclaimed.deliveryId())).isZero();
        assertThat(db().queryValue("SELECT status FROM iu_route_delivery WHERE id = ?", tasks.get(1).deliveryId()))
                .isEqualTo("delivered");
    }

    @Test
    void aReceiversRetryAfterIsHonouredUpToTheRoutesLongestBackoff() throws Exception {
        DeliveryTask task = claimed(1).get(0);
        // a day asked for, the route's longest backoff 200 ms: 200 ms and up to a tenth more
        recorder.record(attempt(task, AttemptResult.failed(Outcome.FAILED, 429, "HttpStatus", "HTTP 429 (Retry-After 86400 s)", 3)
                .retryAfter(Duration.ofDays(1).toMillis())));
        assertThat(db().queryLong("""
                SELECT round(extract(epoch FROM next_attempt_at - updated_at) * 1000) FROM iu_route_delivery WHERE id = ?""",
                task.deliveryId())).isBetween(200L, 220L);
    }

    @Test
    void aFailedTryIsRecordedAsARetryAfterItsBackoffAndTheLastAsDeadWithADeadLetter() throws Exception {
        DeliveryTask task = claimed(1).get(0);
        recorder.record(attempt(task, AttemptResult.failed(Outcome.FAILED, 503, "HttpStatus", "HTTP 503: busy", 7)));
        Map<String, Object> retrying = db().query("""
                SELECT status, attempts, last_error, next_attempt_at > updated_at AS later FROM iu_route_delivery WHERE id = ?""",
                task.deliveryId()).get(0);
        assertThat(retrying).containsEntry("status", "retrying").containsEntry("attempts", 1)
                .containsEntry("last_error", "HTTP 503: busy").containsEntry("later", true);
        assertThat(db().queryLong("SELECT consecutive_failures FROM iu_route_circuit WHERE route_key = ?", ROUTE)).isPositive();

        // the third and last try (max_attempts 3) gives up: dead, with a dead letter
        db().update("UPDATE iu_route_delivery SET attempts = 2, next_attempt_at = now() WHERE id = ?", task.deliveryId());
        db().update("UPDATE iu_route_circuit SET state = 'closed', consecutive_failures = 0 WHERE route_key = ?", ROUTE);
        DeliveryTask last = claimed(1).get(0);
        recorder.record(attempt(last, AttemptResult.failed(Outcome.FAILED, 500, "HttpStatus", "HTTP 500", 2)));
        assertThat(db().queryValue("SELECT status FROM iu_route_delivery WHERE id = ?", task.deliveryId())).isEqualTo("dead");
        assertThat(db().queryValue("SELECT reason FROM iu_route_dead_letter WHERE delivery_id = ?", task.deliveryId()))
                .isEqualTo("attempts_exhausted");
    }

    @Test
    void aRecordReadsOnlyItsOwnDeliveriesWhenItsPlanWasMadeForEmptyTables() throws Exception {
        StaleStatistics.emptyAndAnalysed(db(), "iu_route_delivery", "event_outbox", "iu_route_attempt");
        try (Connection c = RelayCommit.open(db().runtime())) {
            // a record's plan made and kept on this connection while the statistics say empty (pgjdbc
            // prepares on the server at the fifth run, PostgreSQL may keep a generic plan from the fifth after)
            for (int run = 0; run < 12; run++) {
                assertThat(recorder.record(c, List.of(attempt(claimed(1).get(0), AttemptResult.delivered(200, 1)))))
                        .doesNotContainNull();
                c.commit();
            }
            // then a backlog they know nothing of, four of it leased and recorded
            dispatched(3000);
            List<DeliveryAttempt> tries = claimed(4).stream().map(task -> attempt(task, AttemptResult.delivered(200, 1))).toList();

            Map<String, Long> before = StaleStatistics.rowsRead(c, "iu_route_delivery");
            assertThat(recorder.record(c, tries)).doesNotContainNull();
            StaleStatistics.assertFewRowsReadSince(c, before, 300);
            c.rollback();
        }
    }

    /** n fresh deliveries of the route, dispatched, then leased by this test's claimer. */
    private List<DeliveryTask> claimed(int n) throws Exception {
        dispatched(n);
        try (Connection c = db().runtime().getConnection()) {
            c.setAutoCommit(false);
            List<DeliveryTask> tasks = claimer.claim(c, n);
            c.commit();
            assertThat(tasks).hasSize(n);
            return tasks;
        }
    }

    /** n fresh deliveries of the route, dispatched and due. */
    private static void dispatched(int n) {
        db().update("""
                WITH e AS (INSERT INTO event_outbox (event_type, aggregate_type, aggregate_id, payload, status, dispatched_at)
                           SELECT 'test.recorder', 'test', 'r-' || i, '{}', 'dispatched', now() FROM generate_series(1, ?) i
                           RETURNING id, event_id, aggregate_id)
                INSERT INTO iu_route_delivery (event_id, outbox_id, aggregate_id, route_kind, route_key)
                SELECT event_id, id, aggregate_id, 'outbound', ? FROM e""", n, ROUTE);
    }

    private static DeliveryAttempt attempt(DeliveryTask task, AttemptResult result) {
        DeliveryAttempt attempt = new DeliveryAttempt(task);
        attempt.ended(result);
        return attempt;
    }
}
