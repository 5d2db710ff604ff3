package dev.iucore.pipeline.scaleout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.demo.DemoDataLoader;
import dev.iucore.pipeline.metrics.PipelineMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import dev.iucore.pipeline.service.PipelineService;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.RunningPipeline;
import dev.iucore.pipeline.testing.Cli;
import dev.iucore.pipeline.verify.BatchEvidence;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The scheduled scaleout of routes/scaleout.yaml on the clustered Quartz store (one running service per database). */
class ScaleoutRouteTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String ACTOR = "scheduled-ops";

    @BeforeAll
    static void demoTemplates() throws Exception {
        new DemoDataLoader(DB.db().runtime()).load();
    }

    private static long lineageOf(String actor) {
        return DB.db().queryLong("SELECT count(*) FROM iu_collection_template_instance_lineage WHERE actor = ?", actor);
    }

    private static void scaleoutGate(boolean open) {
        DB.db().update("UPDATE iu_core_gate SET gate_value = ? WHERE gate_name = 'scaleout_enabled'", Boolean.toString(open));
    }

    @Test
    void eachScheduledFiringComposesItsOwnBatchWhileTheGateIsOpenAndNothingOnceItCloses() {
        scaleoutGate(true);
        try (RunningPipeline pipeline = RunningPipeline.start(DB.db(), "scheduler", Map.of(
                Setting.SCALEOUT_CRON, RunningPipeline.EVERY_SECOND, Setting.SCALEOUT_TEMPLATES, "tpl:wf:onboarding/v1",
                Setting.SCALEOUT_N, "2", Setting.SCALEOUT_ACTOR, ACTOR))) {
            await().atMost(WAIT).until(() -> lineageOf(ACTOR) >= 4);
            assertThat(DB.db().queryLong("""
                    SELECT count(DISTINCT event_id) FROM iu_collection_template_instance_lineage WHERE actor = ?""", ACTOR))
                    .as("one batch per firing").isGreaterThanOrEqualTo(2);
            assertThat(DB.db().queryLong("""
                    SELECT count(*) FROM iu_collection_template_instance_lineage WHERE actor = ? AND NOT digest_matches_template""",
                    ACTOR)).isZero();

            scaleoutGate(false);
            NotifyBuilder twoRuns = new NotifyBuilder(pipeline.camelContext()).fromRoute("scaleout-schedule").whenDone(2).create();
            long composed = lineageOf(ACTOR);
            assertThat(twoRuns.matches(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            // a firing already under way when the gate closed may still commit its batch of 2
            assertThat(lineageOf(ACTOR)).isLessThanOrEqualTo(composed + 2);
            long afterClosing = lineageOf(ACTOR);
            NotifyBuilder moreRuns = new NotifyBuilder(pipeline.camelContext()).fromRoute("scaleout-schedule").whenDone(2).create();
            assertThat(moreRuns.matches(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(lineageOf(ACTOR)).as("refused while the gate is closed").isEqualTo(afterClosing);
            assertThat(pipeline.service().metrics().registry().get("iu.scaleout.instances").counter().count())
                    .as("every scheduled instance counted").isEqualTo(afterClosing);
        }
        // every batch that ran left its evidence; the refused firings (gate closed) left none
        assertThat(DB.db().queryLong("""
                SELECT coalesce(sum((summary->>'composed')::bigint), 0) FROM iu_core_batch_run
                 WHERE kind = 'scaleout' AND actor = ? AND outcome = 'ok' AND rollback_handle = ?
                   AND matrix_before IS NOT NULL AND matrix_after IS NOT NULL AND arguments->>'scheduled' = 'true'""",
                ACTOR, ACTOR)).as("instances composed, as the batch runs record them").isEqualTo(lineageOf(ACTOR));
        assertThat(DB.db().queryLong("SELECT count(*) FROM iu_core_batch_run WHERE actor = ? AND outcome <> 'ok'", ACTOR))
                .isZero();
        String runId = DB.db().queryValue("""
                SELECT run_id::text FROM iu_core_batch_run WHERE actor = ? AND (summary->>'composed')::int = 2
                 ORDER BY started_at LIMIT 1""", ACTOR).toString();
        Cli.Result report = Cli.run(DB.db().settings(), "evidence", runId);
        assertThat(report.exitCode()).as(report.out() + report.err()).isZero();
        assertThat(report.out()).contains(runId).contains(ACTOR);
        assertThat(DB.db().queryLong("""
                SELECT count(*) FROM iu_core_gate WHERE gate_name IN ('composer_enabled', 'auto_instantiate_enabled')
                   AND fn_iu_core_gate_open(gate_name)""")).isZero();
    }

    @Test
    void withoutATemplateMixTheDefaultScheduleHasNothingToRun() {
        // the route runs a batch only when configured() holds; one service per database here, as a
        // second one would wait for Quartz's cluster recovery of the first
        assertThat(new ScheduledScaleout(DB.db().runtime(), new BatchEvidence(DB.db().runtime(), null, "idle"),
                Setting.SCALEOUT_TEMPLATES.defaultValue(), 20, "idle-ops", new PipelineMetrics(new SimpleMeterRegistry()))
                .configured()).isFalse();
    }

    @Test
    void aMalformedTemplateMixStopsTheServiceAtStartNamingTheProperty() {
        PipelineService service = new PipelineService(DB.db().settings().with(Setting.SCALEOUT_TEMPLATES, "onboarding"),
                DB.db().runtime(), Optional.of(DB.db().scheduler()));
        CompletableFuture<Void> running = CompletableFuture.runAsync(() -> {
            try {
                service.run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThatThrownBy(() -> running.get(60, TimeUnit.SECONDS))
                .hasStackTraceContaining("iu.scaleout.templates")
                .hasStackTraceContaining("\"onboarding\" is not a template version");
    }
}
