package dev.iucore.pipeline.retention;

import static dev.iucore.pipeline.retention.RetentionData.OLD;
import static dev.iucore.pipeline.retention.RetentionData.YOUNG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.TestDb;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The retention rules of migration V010, run as the service and the CLI run them (RetentionRunner). */
class RetentionRunTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final String AUTO_LOG = "iu_auto_instantiate_event_log";

    private RetentionData data;
    private RetentionRunner runner;

    @BeforeEach
    void reset() {
        data = new RetentionData(DB.db()).reset();
        runner = new RetentionRunner(DB.db().runtime());
    }

    private static TestDb db() {
        return DB.db();
    }

    private static TargetResult target(RetentionReport report, String target) {
        return report.targets().stream().filter(t -> t.target().equals(target)).findFirst().orElseThrow();
    }

    private static Map<String, Long> eligible(RetentionReport report) {
        return report.targets().stream().collect(Collectors.toMap(TargetResult::target, TargetResult::rowsEligible));
    }

    private static Map<String, Long> deleted(RetentionReport report) {
        return report.targets().stream().collect(Collectors.toMap(TargetResult::target, TargetResult::rowsDeleted));
    }

    @Test
    void processedEventsGoOnlyWhenNoDeliveryDeadLetterOrAttemptOfThemIsOpenOrYoung() throws SQLException {
        data.enable("event_outbox").openGate();
        List<UUID> gone = new ArrayList<>();
        gone.add(data.event("dispatched", OLD, "no-routes"));
        UUID delivered = data.event("dispatched", OLD, "delivered-long-ago");
        data.attempt(data.delivery(delivered, "delivered"), OLD);
        gone.add(delivered);
        UUID deadResolved = data.event("dead", OLD, "dead-letter-resolved");
        data.deadLetter(deadResolved, null, OLD, "resolved", null);
        gone.add(deadResolved);

        Map<String, UUID> kept = new LinkedHashMap<>();
        kept.put("dispatched yesterday", data.event("dispatched", YOUNG, "young"));
        kept.put("pending", data.event("pending", null, "pending"));
        kept.put("held", data.event("held", null, "held"));
        UUID openDelivery = data.event("dispatched", OLD, "open-delivery");
        data.delivery(openDelivery, "pending");
        kept.put("delivery pending", openDelivery);
        UUID retrying = data.event("dispatched", OLD, "retrying");
        data.delivery(retrying, "retrying");
        data.delivery(retrying, "delivered");
        kept.put("one delivery retrying", retrying);
        UUID undelivered = data.event("dead", OLD, "dead-letter-open");
        data.deadLetter(undelivered, null, OLD, null, null);
        kept.put("dead letter open", undelivered);
        UUID recentAttempt = data.event("dispatched", OLD, "recent-attempt");
        data.attempt(data.delivery(recentAttempt, "delivered"), YOUNG);
        kept.put("attempt yesterday", recentAttempt);

        RetentionReport report = runner.run("test", false);

        assertThat(target(report, "event_outbox")).extracting(TargetResult::rowsEligible, TargetResult::rowsDeleted,
                TargetResult::status).containsExactly(3L, 3L, "completed");
        assertThat(db().query("SELECT event_id FROM event_outbox").stream().map(r -> r.get("event_id")))
                .containsExactlyInAnyOrderElementsOf(kept.values());
        assertThat(db().queryLong("SELECT count(*) FROM iu_route_delivery WHERE event_id = ?", delivered))
                .as("its delivery history went with it").isZero();
        assertThat(db().count("iu_route_attempt")).as("only the attempt of the recent-attempt event is left").isEqualTo(1);
        assertThat(db().count("iu_route_dead_letter")).as("dead letters keep their snapshot").isEqualTo(2);
    }

    @Test
    void attemptsGoOnlyWhenOldAndTheirDeliveryIsClosed() throws SQLException {
        data.enable("iu_route_attempt").openGate();
        UUID event = data.event("dispatched", OLD, "attempts");
        long delivered = data.delivery(event, "delivered");
        long dead = data.delivery(event, "dead");
        long pending = data.delivery(event, "pending");
        long retrying = data.delivery(event, "retrying");
        List<Long> gone = List.of(data.attempt(delivered, OLD), data.attempt(dead, OLD));
        List<Long> kept = List.of(data.attempt(delivered, YOUNG), data.attempt(pending, OLD), data.attempt(retrying, OLD));

        RetentionReport report = runner.run("test", false);

        assertThat(target(report, "iu_route_attempt")).extracting(TargetResult::rowsEligible, TargetResult::rowsDeleted)
                .containsExactly(2L, 2L);
        assertThat(db().query("SELECT id FROM iu_route_attempt").stream().map(r -> r.get("id")))
                .containsExactlyInAnyOrderElementsOf(kept).doesNotContainAnyElementsOf(gone);
    }

    @Test
    void deadLettersGoOnlyWhenOldReplayedOrResolvedAndNoDeliveryOfThemIsOpen() throws SQLException {
        data.enable("iu_route_dead_letter").openGate();
        UUID event = data.event("dispatched", OLD, "dead-letters");
        long replayDone = data.delivery(event, "delivered");
        long replayOpen = data.delivery(event, "pending");
        long ownRetrying = data.delivery(event, "retrying");
        List<Long> gone = List.of(
                data.deadLetter(event, data.delivery(event, "dead"), OLD, "replayed", replayDone),
                data.deadLetter(event, null, OLD, "resolved", null));
        List<Long> kept = List.of(
                data.deadLetter(event, null, OLD, null, null),
                data.deadLetter(event, null, OLD, "replayed", replayOpen),
                data.deadLetter(event, ownRetrying, OLD, "resolved", null),
                data.deadLetter(event, null, YOUNG, "resolved", null));

        RetentionReport report = runner.run("test", false);

        assertThat(target(report, "iu_route_dead_letter")).extracting(TargetResult::rowsEligible,
                TargetResult::rowsDeleted).containsExactly(2L, 2L);
        assertThat(db().query("SELECT id FROM iu_route_dead_letter").stream().map(r -> r.get("id")))
                .containsExactlyInAnyOrderElementsOf(kept).doesNotContainAnyElementsOf(gone);
    }

    @Test
    void autoInstantiateLogRowsGoWhenOlderThanTheirPolicy() throws SQLException {
        data.enable(AUTO_LOG).openGate();
        long gone = data.autoLog(OLD);
        long kept = data.autoLog(89);

        RetentionReport report = runner.run("test", false);

        assertThat(target(report, AUTO_LOG)).extracting(TargetResult::rowsEligible, TargetResult::rowsDeleted)
                .containsExactly(1L, 1L);
        assertThat(db().query("SELECT id FROM iu_auto_instantiate_event_log").stream().map(r -> r.get("id")))
                .containsExactly(kept).doesNotContain(gone);
    }

    @Test
    void aDryRunCountsExactlyWhatTheApplyThenDeletesAndChangesNothingButItsRunRecord() throws SQLException {
        data.enableAll().openGate();
        for (int i = 0; i < 3; i++) {
            UUID event = data.event("dispatched", OLD, "mixed-" + i);
            long delivery = data.delivery(event, "delivered");
            data.attempt(delivery, OLD);
            data.attempt(delivery, OLD);
            data.deadLetter(event, null, OLD, i == 0 ? null : "resolved", null);
            data.autoLog(OLD);
            data.autoLog(YOUNG);
            data.event("dispatched", YOUNG, "young-" + i);
        }
        Map<String, Long> before = data.counts();

        RetentionReport dryRun = runner.run("test", true);

        assertThat(data.counts()).isEqualTo(before);
        assertThat(deleted(dryRun)).allSatisfy((target, rows) -> assertThat(rows).isZero());
        assertThat(dryRun.targets()).allSatisfy(t -> assertThat(t.status()).isEqualTo("completed"));
        assertThat(eligible(dryRun)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "iu_route_attempt", 6L, "iu_route_dead_letter", 2L, "event_outbox", 2L, AUTO_LOG, 3L));
        assertThat(db().queryLong("SELECT count(*) FROM iu_core_retention_run WHERE run_id = ? AND dry_run",
                dryRun.runId())).isEqualTo(4);

        RetentionReport apply = runner.run("test", false);

        assertThat(eligible(apply)).isEqualTo(eligible(dryRun));
        assertThat(deleted(apply)).isEqualTo(eligible(dryRun));
        assertThat(apply.targets()).extracting(TargetResult::target).containsExactly(
                "iu_route_attempt", "iu_route_dead_letter", "event_outbox", AUTO_LOG);
        Map<String, Long> after = data.counts();
        eligible(dryRun).forEach((target, rows) ->
                assertThat(after.get(target)).as(target).isEqualTo(before.get(target) - rows));
    }

    @Test
    void aDisabledPolicyIsCountedButDeletesNothing() throws SQLException {
        data.openGate();
        data.autoLog(OLD);

        RetentionReport report = runner.run("test", false);

        assertThat(target(report, AUTO_LOG)).extracting(TargetResult::rowsEligible, TargetResult::rowsDeleted,
                TargetResult::status, TargetResult::policyEnabled).containsExactly(1L, 0L, "completed", false);
        assertThat(target(report, AUTO_LOG).message()).isEqualTo("policy disabled: counted, nothing deleted");
        assertThat(db().count(AUTO_LOG)).isEqualTo(1);
    }

    @Test
    void aClosedGateRefusesTheApplyRecordsTheRefusalAndDeletesNothing() throws SQLException {
        data.enableAll();
        data.autoLog(OLD);

        RetentionReport report = runner.run("test", false);

        assertThat(report.refusal()).hasValueSatisfying(m -> assertThat(m).startsWith("gate retention_enabled is closed"));
        assertThat(report.targets()).allSatisfy(t -> {
            assertThat(t.status()).isEqualTo("refused");
            assertThat(t.rowsDeleted()).isZero();
        });
        assertThat(target(report, AUTO_LOG).rowsEligible()).isEqualTo(1);
        assertThat(db().count(AUTO_LOG)).isEqualTo(1);
        assertThat(db().queryLong("SELECT count(*) FROM iu_core_retention_run WHERE status = 'refused' AND NOT dry_run"))
                .isEqualTo(4);
    }

    @Test
    void aSecondDeletingRunIsRefusedWhileAnotherHoldsTheRetentionLock() throws SQLException {
        data.enableAll().openGate();
        data.autoLog(OLD);
        try (Connection other = db().owner().getConnection()) {
            assertThat(queryBoolean(other, "SELECT fn_iu_core_retention_lock()")).isTrue();

            RetentionReport report = runner.run("test", false);

            assertThat(report.refusal()).hasValueSatisfying(m -> assertThat(m).startsWith("another retention run is deleting"));
            assertThat(db().count(AUTO_LOG)).isEqualTo(1);
            assertThat(runner.run("test", true).refused()).as("a dry run needs no lock").isFalse();
        }
        awaitSessionsGone();
        assertThat(runner.run("test", false).rowsDeleted()).as("the lock ends with its session").isEqualTo(1);
    }

    @Test
    void aRunInterruptedAfterItsFirstBatchLeavesRowsAndRecordsThatAgreeAndTheNextRunFinishes() throws SQLException {
        data.enable(AUTO_LOG).batchSize(2).openGate();
        for (int i = 0; i < 5; i++) {
            data.autoLog(OLD);
        }
        data.autoLog(YOUNG);
        RetentionProgress interruptAfterFirstBatch = new RetentionProgress() {
            @Override
            public void batchDeleted(String target, long deleted, long eligible) {
                Thread.currentThread().interrupt();
            }
        };

        RetentionReport interrupted;
        try {
            interrupted = runner.run("test", false, interruptAfterFirstBatch);
        } finally {
            Thread.interrupted();
        }

        assertThat(target(interrupted, AUTO_LOG)).extracting(TargetResult::rowsEligible, TargetResult::rowsDeleted,
                TargetResult::batches, TargetResult::status).containsExactly(5L, 2L, 1, "interrupted");
        assertThat(db().count(AUTO_LOG)).as("what the run row says it deleted, and no more").isEqualTo(6 - 2);

        RetentionReport rerun = runner.run("test", false);

        assertThat(target(rerun, AUTO_LOG)).extracting(TargetResult::rowsEligible, TargetResult::rowsDeleted,
                TargetResult::batches, TargetResult::status).containsExactly(3L, 3L, 2, "completed");
        assertThat(db().count(AUTO_LOG)).as("only the young row is left").isEqualTo(1);
        assertThat(db().queryLong("SELECT sum(rows_deleted) FROM iu_core_retention_run WHERE target = ?", AUTO_LOG))
                .isEqualTo(5);
    }

    @Test
    void aRunWhoseProcessDiedIsMarkedInterruptedByTheNextRunWhichDeletesTheRest() throws SQLException {
        data.enable(AUTO_LOG).batchSize(2).openGate();
        for (int i = 0; i < 5; i++) {
            data.autoLog(OLD);
        }
        UUID died;
        // a process that began a run, committed one batch and died: its session (and lock) ends with it
        try (Connection process = db().owner().getConnection()) {
            assertThat(queryBoolean(process, "SELECT fn_iu_core_retention_lock()")).isTrue();
            died = queryValue(process, "SELECT fn_iu_core_retention_begin('dying', false)", UUID.class);
            assertThat(queryValue(process, "SELECT fn_iu_core_retention_delete_batch('" + died + "', '" + AUTO_LOG + "')",
                    Integer.class)).isEqualTo(2);
        }
        assertThat(db().query("SELECT status, rows_deleted FROM iu_core_retention_run WHERE run_id = ? AND target = ?",
                died, AUTO_LOG)).containsExactly(Map.of("status", "running", "rows_deleted", 2L));
        assertThat(db().count(AUTO_LOG)).isEqualTo(3);
        awaitSessionsGone();

        RetentionReport next = runner.run("test", false);

        assertThat(db().query("SELECT status, rows_deleted FROM iu_core_retention_run WHERE run_id = ? AND target = ?",
                died, AUTO_LOG)).containsExactly(Map.of("status", "interrupted", "rows_deleted", 2L));
        assertThat(target(next, AUTO_LOG).rowsDeleted()).isEqualTo(3);
        assertThat(db().count(AUTO_LOG)).isZero();
    }

    @Test
    void theGateClosingDuringARunStopsItAfterTheBatchUnderWay() throws SQLException {
        data.enable(AUTO_LOG).batchSize(2).openGate();
        for (int i = 0; i < 5; i++) {
            data.autoLog(OLD);
        }
        RetentionProgress closeTheGate = new RetentionProgress() {
            @Override
            public void batchDeleted(String target, long deleted, long eligible) {
                data.closeGate();
            }
        };

        RetentionReport report = runner.run("test", false, closeTheGate);

        assertThat(target(report, AUTO_LOG)).extracting(TargetResult::rowsDeleted, TargetResult::status)
                .containsExactly(2L, "interrupted");
        assertThat(target(report, AUTO_LOG).message()).startsWith("gate retention_enabled was closed during the run");
        assertThat(report.problem()).isPresent();
        assertThat(db().count(AUTO_LOG)).isEqualTo(3);
    }

    @Test
    void theCleanupFunctionRunsAWholeRunFromSqlAsTheRuntimeRole() throws SQLException {
        data.enable(AUTO_LOG).batchSize(2).openGate();
        for (int i = 0; i < 5; i++) {
            data.autoLog(OLD);
        }
        data.closeGate();
        try (Connection psql = db().runtime().getConnection()) {
            List<Map<String, Object>> dry = TestDb.query(psql, "SELECT * FROM fn_iu_core_retention_cleanup('psql-alice', true)");
            assertThat(dry).hasSize(4);
            assertThat(dry.get(0).keySet()).startsWith("target", "rows_eligible", "rows_deleted", "dry_run");
            assertThat(dry).filteredOn(r -> r.get("target").equals(AUTO_LOG)).singleElement()
                    .satisfies(r -> assertThat(r).containsEntry("rows_eligible", 5L).containsEntry("rows_deleted", 0L));

            List<Map<String, Object>> refused = TestDb.query(psql, "SELECT * FROM fn_iu_core_retention_cleanup('psql-alice', false)");
            assertThat(refused).extracting(r -> r.get("status")).containsOnly("refused");
            assertThat(db().count(AUTO_LOG)).isEqualTo(5);

            // the in-transaction toggle: the gate opens for this transaction only
            psql.setAutoCommit(false);
            TestDb.query(psql, "SELECT fn_iu_core_gate_override('retention_enabled', 'true')");
            List<Map<String, Object>> applied = TestDb.query(psql, "SELECT * FROM fn_iu_core_retention_cleanup('psql-alice', false)");
            psql.commit();
            psql.setAutoCommit(true);
            assertThat(applied).filteredOn(r -> r.get("target").equals(AUTO_LOG)).singleElement()
                    .satisfies(r -> assertThat(r).containsEntry("rows_deleted", 5L).containsEntry("status", "completed"));
        }
        assertThat(db().count(AUTO_LOG)).isZero();
        assertThat(db().queryValue("SELECT fn_iu_core_gate_open('retention_enabled')")).isEqualTo(false);
    }

    @Test
    void aRunWithoutAnActorIsRejectedAndRecordsNothing() {
        assertThatThrownBy(() -> runner.run(" ", true)).isInstanceOf(SQLException.class)
                .hasMessageContaining("a retention run needs an actor");
        assertThat(db().count("iu_core_retention_run")).isZero();
    }

    /** A closed connection's backend ends (and drops its advisory locks) a moment after the client. */
    private static void awaitSessionsGone() {
        await().atMost(Duration.ofSeconds(10)).until(() -> db().queryLong("""
                SELECT count(*) FROM pg_locks
                WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())""")
                == 0);
    }

    private static boolean queryBoolean(Connection c, String sql) throws SQLException {
        return queryValue(c, sql, Boolean.class);
    }

    private static <T> T queryValue(Connection c, String sql, Class<T> type) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getObject(1, type);
        }
    }
}
