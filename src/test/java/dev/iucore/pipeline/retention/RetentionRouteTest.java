package dev.iucore.pipeline.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.service.PipelineService;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.TestDb;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.camel.ServiceStatus;
import org.apache.camel.component.quartz.QuartzComponent;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.quartz.Scheduler;
import org.quartz.impl.SchedulerRepository;
import org.quartz.impl.jdbcjobstore.JobStoreTX;

/** The packaged retention route on the real service boot, with its clustered Quartz on the test database. */
class RetentionRouteTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    /** Every second, so the route fires within the test. */
    private static final String EVERY_SECOND = "* * * * * ?";

    private RetentionData data;

    @BeforeEach
    void resetData() {
        data = new RetentionData(DB.db()).reset();
    }

    @Test
    void theScheduledRunIsADryRunUnlessApplyIsConfigured() throws Exception {
        data.enableAll().openGate();
        data.autoLog(RetentionData.OLD);

        runService(Map.of(Setting.RETENTION_CRON, EVERY_SECOND), () -> await().atMost(Duration.ofSeconds(30))
                .until(() -> DB.db().count("iu_core_retention_run") > 0));

        assertThat(DB.db().query("SELECT DISTINCT actor, dry_run, status FROM iu_core_retention_run"))
                .containsExactly(Map.of("actor", "iu-core-scheduler", "dry_run", true, "status", "completed"));
        assertThat(DB.db().count("iu_auto_instantiate_event_log")).isEqualTo(1);
    }

    @Test
    void withApplyConfiguredTheScheduledRunDeletesOnItsClusteredQuartzSchedule() throws Exception {
        data.enableAll().openGate();
        data.autoLog(RetentionData.OLD);
        data.autoLog(RetentionData.YOUNG);

        runService(Map.of(Setting.RETENTION_CRON, EVERY_SECOND, Setting.RETENTION_APPLY, "true"), service -> {
            await().atMost(Duration.ofSeconds(30)).until(() -> DB.db().count("iu_auto_instantiate_event_log") == 1);

            Scheduler scheduler = ((QuartzComponent) service.camelContext().getComponent("quartz")).getScheduler();
            assertThat(scheduler.getSchedulerName()).isEqualTo("iu-core");
            assertThat(scheduler.getSchedulerInstanceId()).isEqualTo("test-node");
            assertThat(scheduler.getMetaData().isJobStoreClustered()).isTrue();
            assertThat(scheduler.getMetaData().getJobStoreClass()).isEqualTo(JobStoreTX.class);
            assertThat(DB.db().query("SELECT sched_name, instance_name FROM qrtz_scheduler_state"))
                    .containsExactly(Map.of("sched_name", "iu-core", "instance_name", "test-node"));
            assertThat(DB.db().queryLong("SELECT count(*) FROM qrtz_cron_triggers WHERE cron_expression = ?",
                    EVERY_SECOND)).isEqualTo(1);
        });

        assertThat(DB.db().query("""
                SELECT actor, dry_run, status, rows_deleted FROM iu_core_retention_run
                WHERE target = 'iu_auto_instantiate_event_log' AND rows_deleted > 0"""))
                .containsExactly(Map.of("actor", "iu-core-scheduler", "dry_run", false, "status", "completed",
                        "rows_deleted", 1L));
        assertThat(SchedulerRepository.getInstance().lookup("iu-core")).as("stopped with Camel").isNull();
    }

    interface WhileRunning {
        void check(PipelineService service) throws Exception;
    }

    private static void runService(Map<Setting, String> settings, WhileRunning whileRunning) throws Exception {
        TestDb db = DB.db();
        PipelineService service = new PipelineService(db.settings().with(settings), db.runtime(), Optional.of(db.scheduler()));
        CompletableFuture<Void> running = CompletableFuture.runAsync(() -> {
            try {
                service.run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> service.camelContext() != null
                    && service.camelContext().getStatus() == ServiceStatus.Started);
            whileRunning.check(service);
        } finally {
            service.stop();
            running.get(60, TimeUnit.SECONDS);
        }
    }

    private static void runService(Map<Setting, String> settings, Runnable whileRunning) throws Exception {
        runService(settings, service -> whileRunning.run());
    }
}
