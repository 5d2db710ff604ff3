package dev.iucore.pipeline.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.demo.DemoDataLoader;
import dev.iucore.pipeline.retention.RetentionData;
import dev.iucore.pipeline.scaleout.ScaleoutBatch;
import dev.iucore.pipeline.scaleout.TemplateVersion;
import dev.iucore.pipeline.testing.Cli;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.MisbehavingReceiver;
import dev.iucore.pipeline.testing.MisbehavingReceiver.Behaviour;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.ServiceJar;
import dev.iucore.pipeline.testing.TestDb;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Batches beside competing work: two runs of one scaleout batch at once; an actor rollback beside a
 * live relay; retention beside held rows and a live relay.
 */
class ConcurrentBatchesIT {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String MIX = "tpl:file:status-report/v1,tpl:file:status-report/v2,tpl:wf:onboarding/v1,tpl:wf:onboarding/v2";

    private static TestDb db() {
        return DB.db();
    }

    private static CompletableFuture<Cli.Result> inBackground(String... args) {
        return CompletableFuture.supplyAsync(() -> Cli.run(db().settings(), args));
    }

    @Test
    void twoRunsOfOneScaleoutBatchAtOnceComposeEachInstanceOnce() throws Exception {
        new DemoDataLoader(db().runtime()).load();
        db().update("UPDATE iu_core_gate SET gate_value = 'true' WHERE gate_name = 'scaleout_enabled'");
        ScaleoutBatch batch = ScaleoutBatch.of("fault-ops", 40, TemplateVersion.parseList(MIX), "twice-at-once");
        String[] run = {"scaleout", "--n", "40", "--templates", MIX, "--actor", "fault-ops", "--batch-id", "twice-at-once"};
        CompletableFuture<Cli.Result> first;
        CompletableFuture<Cli.Result> second;
        // the batch's composer lock held here: both runs start and wait for it, so they surely overlap
        try (Connection holder = db().owner().getConnection();
             PreparedStatement lock = holder.prepareStatement(
                     "SELECT pg_advisory_lock(hashtextextended('iu_core_compose:' || ?::text, 0))");
             PreparedStatement unlock = holder.prepareStatement(
                     "SELECT pg_advisory_unlock(hashtextextended('iu_core_compose:' || ?::text, 0))")) {
            lock.setObject(1, batch.batchId());
            lock.execute();
            first = inBackground(run);
            second = inBackground(run);
            await().atMost(WAIT).until(() -> db().queryLong(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted") == 2);
            unlock.setObject(1, batch.batchId());
            unlock.execute();
        }
        List<Cli.Result> results = List.of(first.get(60, TimeUnit.SECONDS), second.get(60, TimeUnit.SECONDS));

        assertThat(results).extracting(Cli.Result::exitCode).containsExactly(0, 0);
        assertThat(results.stream().mapToInt(r -> composed(r.out())).sum()).as("%s", results).isEqualTo(40);
        assertThat(results).anySatisfy(r -> assertThat(r.out()).contains("composed 0 of 40 instances")
                .contains("40 already composed"));
        assertThat(db().query("""
                SELECT count(*) AS instances, count(DISTINCT idempotency_key) AS keys, count(DISTINCT collection_id) AS collections
                  FROM iu_collection_template_instance_lineage WHERE actor = 'fault-ops'"""))
                .containsExactly(Map.of("instances", 40L, "keys", 40L, "collections", 40L));
        assertThat(db().queryLong("SELECT count(*) FROM iu_piece_collection WHERE actor = 'fault-ops'")).isEqualTo(40);
        assertThat(db().queryLong("SELECT count(*) FROM event_outbox WHERE actor = 'fault-ops'")).isEqualTo(40);
        assertThat(db().queryLong("SELECT count(*) FROM iu_auto_instantiate_event_log WHERE actor = 'fault-ops'")).isEqualTo(40);
    }

    private static int composed(String out) {
        Matcher m = Pattern.compile("composed (\\d+) of 40 instances").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        return Integer.parseInt(m.group(1));
    }

    @Test
    void anActorRollbackBesideALiveRelayRemovesTheActorsUndeliveredEventsKeepsWhatLeftAndTheRelayCarriesOn() throws Exception {
        TestDb db = db();
        RelayData data = new RelayData(db);
        FlowChecks flow = new FlowChecks(db, "rollback-hook");
        try (MisbehavingReceiver receiver = MisbehavingReceiver.start().behave(Behaviour.SLOW, Duration.ofMillis(20));
             // two tries in flight at 20 ms each: 600 events take ~6 s, so the rollback lands mid-flow
             // (with the route's window widening, all 600 had left before the command started)
             ServiceJar relay = ServiceJar.start(db, "beside-rollback",
                     Map.of(Setting.DELIVERY_ROUTE_CONCURRENCY, "2", Setting.DELIVERY_ROUTE_CONCURRENCY_MAX, "2"))) {
            data.registerType("test.fault.rollback", "live").route("rollback-hook", "test.fault.rollback", receiver.url("/rb"));
            data.openGates(false, "rollback-hook");
            // every other event written by the actor the rollback removes
            db.update("""
                    INSERT INTO event_outbox (event_type, aggregate_type, aggregate_id, payload, actor)
                    SELECT 'test.fault.rollback', 'test', 'rb-' || i, '{}', CASE WHEN i % 2 = 0 THEN 'rb-actor' END
                      FROM generate_series(1, 600) AS i""");
            await().atMost(WAIT).until(() -> flow.delivered() >= 50);

            Cli.Result rolledBack = Cli.run(db.settings(), "rollback", "--actor", "rb-actor");
            assertThat(rolledBack.exitCode()).as(rolledBack.out() + rolledBack.err()).isZero();
            // what already left stays (V060): an event of the actor is kept only when one of its
            // deliveries was delivered or in flight at the rollback; every never-delivered one went
            int kept = (int) db.queryLong("SELECT count(*) FROM event_outbox WHERE actor = 'rb-actor'");
            assertThat(db.queryLong("""
                    SELECT count(*) FROM event_outbox e WHERE e.actor = 'rb-actor'
                       AND NOT EXISTS (SELECT 1 FROM iu_route_delivery d WHERE d.event_id = e.event_id
                                          AND (d.status = 'delivered' OR d.attempts > 0 OR d.locked_until IS NOT NULL))"""))
                    .as("kept events that had never been tried").isZero();
            assertThat(kept).as("the rollback landed mid-flow: some of the actor's events had not left").isLessThan(300);

            await().atMost(WAIT).until(() -> flow.delivered() == 300 + kept);
            flow.everyEventDeliveredAndNoAttemptRecordedTwice(300 + kept, receiver.received());
            assertThat(db.queryLong("SELECT count(*) FROM iu_route_dead_letter")).isZero();
            assertThat(relay.alive()).isTrue();
        }
    }

    /** 500 events processed long ago, each with its delivered delivery and its attempt; retention of events and attempts on. */
    private static void oldProcessedEvents() {
        TestDb db = db();
        new RetentionData(db).reset().enable("event_outbox", "iu_route_attempt").batchSize(50).openGate();
        db.update("""
                INSERT INTO event_outbox (event_type, aggregate_type, aggregate_id, status, created_at, dispatched_at)
                SELECT 'iu.collection.created', 'collection', 'old-' || i, 'dispatched', now() - interval '200 days',
                       now() - interval '120 days' FROM generate_series(1, 500) AS i""");
        db.update("""
                INSERT INTO iu_route_delivery (event_id, outbox_id, aggregate_id, route_kind, route_key, status, attempts, delivered_at)
                SELECT event_id, id, aggregate_id, 'outbound', 'old-hook', 'delivered', 1, now() - interval '120 days'
                  FROM event_outbox WHERE aggregate_id LIKE 'old-%'""");
        db.update("""
                INSERT INTO iu_route_attempt (delivery_id, attempt_no, outcome, node, attempted_at)
                SELECT id, 1, 'delivered', 'old', now() - interval '120 days' FROM iu_route_delivery WHERE route_key = 'old-hook'""");
    }

    /** Locks, in the locker's open transaction, what {@code sql} selects. */
    private static void hold(Connection locker, String sql) throws SQLException {
        locker.setAutoCommit(false);
        try (PreparedStatement lock = locker.prepareStatement(sql)) {
            lock.execute();
        }
    }

    /** {@code retention --apply} while the locker holds its rows; a run that waits for them fails the test. */
    private static Cli.Result retentionWhileHeld(Connection locker) throws Exception {
        CompletableFuture<Cli.Result> run = inBackground("retention", "--apply", "--actor", "fault-ops");
        try {
            return run.get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("retention --apply waited for rows another session holds, instead of skipping them", e);
        } finally {
            locker.rollback();
            run.get(60, TimeUnit.SECONDS);
        }
    }

    private static long oldEventsLeft() {
        return db().queryLong("SELECT count(*) FROM event_outbox WHERE aggregate_id LIKE 'old-%'");
    }

    /** The locks gone, the next run deletes the rest. */
    private static void theNextRunDeletesTheRest() {
        Cli.Result again = Cli.run(db().settings(), "retention", "--apply", "--actor", "fault-ops");
        assertThat(again.exitCode()).as(again.out() + again.err()).isZero();
        assertThat(oldEventsLeft()).isZero();
        assertThat(db().queryLong("SELECT count(*) FROM iu_route_delivery WHERE route_key = 'old-hook'")).isZero();
    }

    @Test
    void retentionBesideHeldEventsAndALiveRelaySkipsWhatIsHeldDeletesTheRestAndTouchesNoLiveWork() throws Exception {
        TestDb db = db();
        oldProcessedEvents();
        RelayData data = new RelayData(db);
        FlowChecks flow = new FlowChecks(db, "live-hook");
        try (MisbehavingReceiver receiver = MisbehavingReceiver.start();
             ServiceJar relay = ServiceJar.start(db, "beside-retention", Map.of());
             Connection locker = db.owner().getConnection()) {
            data.registerType("test.fault.live", "live").route("live-hook", "test.fault.live", receiver.url("/live"));
            data.openGates(false, "live-hook");
            data.events("test.fault.live", 1000);
            await().atMost(WAIT).until(() -> flow.delivered() >= 100);

            hold(locker, "SELECT id FROM event_outbox WHERE aggregate_id IN (SELECT 'old-' || i FROM generate_series(1, 10) AS i) FOR UPDATE");
            Cli.Result applied = retentionWhileHeld(locker);
            assertThat(applied.exitCode()).as(applied.out() + applied.err()).isZero();
            assertThat(db.query("SELECT DISTINCT status FROM iu_core_retention_run WHERE NOT dry_run"))
                    .containsExactly(Map.of("status", "completed"));
            assertThat(oldEventsLeft()).as("the held old events are still there, no other").isEqualTo(10);

            await().atMost(WAIT).until(() -> flow.delivered() == 1000);
            assertThat(db.queryLong("SELECT count(*) FROM event_outbox WHERE event_type = 'test.fault.live'")).isEqualTo(1000);
            flow.everyEventDeliveredAndNoAttemptRecordedTwice(1000, receiver.received());
        }
        theNextRunDeletesTheRest();
    }

    @Test
    void retentionSkipsAnOldEventWhoseAttemptsAnotherSessionHoldsInsteadOfWaitingForThem() throws Exception {
        oldProcessedEvents();
        try (Connection locker = db().owner().getConnection()) {
            // deleting an event cascades to its deliveries and attempts: held ones must not make the run wait
            hold(locker, """
                    SELECT a.id FROM iu_route_attempt a JOIN iu_route_delivery d ON d.id = a.delivery_id
                     WHERE d.aggregate_id IN (SELECT 'old-' || i FROM generate_series(1, 10) AS i) FOR UPDATE OF a""");
            Cli.Result applied = retentionWhileHeld(locker);
            assertThat(applied.exitCode()).as(applied.out() + applied.err()).isZero();
            assertThat(oldEventsLeft()).as("the old events whose attempts were held are still there, no other").isEqualTo(10);
        }
        theNextRunDeletesTheRest();
    }
}
