package dev.iucore.pipeline.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.db.Database;
import dev.iucore.pipeline.db.EmbeddedPostgresServer;
import dev.iucore.pipeline.service.ClusteredQuartz;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.RunningPipeline;
import dev.iucore.pipeline.testing.TestDb;
import dev.iucore.pipeline.testing.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.quartz.CronScheduleBuilder;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.TriggerBuilder;

/**
 * Quartz's tables belong to the scheduler role (V045): the runtime role can neither read nor forge,
 * rewrite or drop a schedule, and the scheduler role reaches nothing of the pipeline's own, while
 * the service still fires its schedules, as that role.
 */
class QuartzTablesTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final String PERMISSION_DENIED = "42501";
    private static final String CRON = "0 0 0 1 1 ? 2099";

    /** A job the scheduler could run; never fired here. */
    public static class IdleJob implements Job {
        @Override
        public void execute(JobExecutionContext context) {
            // nothing: the test only stores a schedule
        }
    }

    private static TestDb db() {
        return DB.db();
    }

    @Test
    void theRuntimeRoleCannotReadInsertUpdateOrDeleteAnyQuartzTable() throws Exception {
        Scheduler scheduler = ClusteredQuartz.schedulerFactory("iu-core-tables-test", "tables-node", db().scheduler())
                .getScheduler();
        try {
            JobKey key = JobKey.jobKey("retention", "iu-core-tables-test");
            scheduler.scheduleJob(JobBuilder.newJob(IdleJob.class).withIdentity(key).build(),
                    TriggerBuilder.newTrigger().withIdentity("retention", "iu-core-tables-test")
                            .withSchedule(CronScheduleBuilder.cronSchedule(CRON)).build());
            List<String> tables = db().query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                    + " AND tablename LIKE 'qrtz%' ORDER BY 1").stream().map(r -> (String) r.get("tablename")).toList();
            assertThat(tables).hasSize(11);
            Map<String, Long> before = rowCounts(tables);

            for (String table : tables) {
                for (String statement : List.of("SELECT * FROM " + table, "INSERT INTO " + table + " DEFAULT VALUES",
                        "UPDATE " + table + " SET sched_name = 'forged'", "DELETE FROM " + table,
                        "TRUNCATE " + table + " CASCADE")) {
                    assertRefused(db().runtime(), statement);
                }
            }

            assertThat(rowCounts(tables)).isEqualTo(before);
            assertThat(db().queryValue("SELECT cron_expression FROM qrtz_cron_triggers WHERE sched_name = ?",
                    "iu-core-tables-test")).isEqualTo(CRON);
            assertThat(scheduler.checkExists(key)).isTrue();
        } finally {
            scheduler.shutdown();
        }
    }

    @Test
    void theSchedulerRoleReachesNoTableButQuartzsNorAnyGateOrBatch() throws Exception {
        for (String statement : List.of(
                "SELECT * FROM event_outbox",
                "INSERT INTO event_outbox (event_type, aggregate_type, aggregate_id, payload) VALUES ('iu.collection.created', 'x', 'x', '{}')",
                "DELETE FROM iu_route_delivery",
                "UPDATE iu_route_dead_letter SET replayed_by = 'scheduler'",
                "UPDATE iu_outbound_route SET target_uri = 'https://attacker.example'",
                "SELECT * FROM iu_core_gate",
                "DELETE FROM iu_command_log",
                "SELECT fn_iu_core_gate_set('delivery_enabled', 'true', 'scheduler', 'forged')",
                "SELECT * FROM fn_iu_core_retention_cleanup('scheduler', false)",
                "SELECT * FROM fn_iu_core_actor_rollback('iu-core-scheduler', false)",
                "CREATE TABLE qrtz_shadow (x int)",
                "CREATE TEMP TABLE iu_core_gate (gate_name text)")) {
            assertRefused(db().scheduler(), statement);
        }
        // the catalog agrees, for every table and view of the schema
        assertThat(db().query("""
                SELECT c.relname FROM pg_class c
                WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v') AND c.relname NOT LIKE 'qrtz%'
                  AND has_table_privilege(?, c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')""",
                TestPostgres.SCHEDULER)).isEmpty();
    }

    @Test
    void theServiceFiresItsScheduleThroughTheSchedulerRole() {
        RelayData data = new RelayData(db()).registerType("test.quartz.role", "delayed").openGates(false);
        try (RunningPipeline service = RunningPipeline.start(db(), "quartz-role-node",
                Map.of(Setting.DELAYED_LANE_CRON, RunningPipeline.EVERY_SECOND))) {
            UUID event = data.event("test.quartz.role", "a-1", "{}");
            // held by the dispatcher, then released by the delayed lane's Quartz firing (no routes: dispatched)
            await().atMost(Duration.ofSeconds(30)).until(() -> "dispatched".equals(data.status(event)));
            assertThat(db().queryLong("SELECT count(*) FROM qrtz_scheduler_state WHERE instance_name = 'quartz-role-node'"))
                    .isEqualTo(1);
            assertThat(db().superuserQueryLong("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    + " AND usename = '" + TestPostgres.SCHEDULER + "'")).isPositive();
        } finally {
            data.closeGates();
        }
    }

    @Test
    void withoutASchedulerPasswordOnAnExternalDatabaseQuartzKeepsItsScheduleInMemory() throws SQLException {
        Database withPassword = Database.open(db().settings(), EmbeddedPostgresServer.Mode.SERVICE, "test", false);
        Database without = Database.open(db().settings().with(Setting.DB_SCHEDULER_PASSWORD, ""),
                EmbeddedPostgresServer.Mode.SERVICE, "test", false);
        try (withPassword; without) {
            assertThat(without.scheduler()).isEmpty();
            try (Connection c = withPassword.scheduler().orElseThrow().getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT session_user")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo(TestPostgres.SCHEDULER);
            }
        }

        List<String> tables = List.of("qrtz_job_details", "qrtz_triggers", "qrtz_cron_triggers", "qrtz_fired_triggers",
                "qrtz_scheduler_state", "qrtz_locks");
        Map<String, Long> before = rowCounts(tables);
        RelayData data = new RelayData(db()).registerType("test.quartz.memory", "delayed").openGates(false);
        try (RunningPipeline service = RunningPipeline.start(db(), "in-memory-node", Map.of(
                Setting.DB_SCHEDULER_PASSWORD, "", Setting.DELAYED_LANE_CRON, RunningPipeline.EVERY_SECOND))) {
            UUID event = data.event("test.quartz.memory", "a-1", "{}");
            await().atMost(Duration.ofSeconds(30)).until(() -> "dispatched".equals(data.status(event)));
            assertThat(rowCounts(tables)).as("nothing written to Quartz's tables").isEqualTo(before);
        } finally {
            data.closeGates();
        }
    }

    private static Map<String, Long> rowCounts(List<String> tables) {
        return tables.stream().collect(java.util.stream.Collectors.toMap(t -> t, t -> db().count(t)));
    }

    private static void assertRefused(DataSource role, String statement) throws SQLException {
        try (Connection c = role.getConnection(); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.execute(statement)).as(statement)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).as(statement).isEqualTo(PERMISSION_DENIED));
        }
    }
}
