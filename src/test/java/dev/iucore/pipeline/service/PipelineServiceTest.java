package dev.iucore.pipeline.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.delivery.DeliveryClaimer;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.LogCapture;
import dev.iucore.pipeline.testing.RunningPipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.apache.camel.component.seda.SedaEndpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class PipelineServiceTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @TempDir
    Path routesDir;

    @Test
    void runsThePackagedAndTheOperatorsRoutesOnTheBoundDataSourceAndStopsCleanly() throws Exception {
        // an operator's route, from the external directory, that runs a named SQL action (a retention
        // dry run, which records its run) through the bound DataSource
        Files.writeString(routesDir.resolve("ops-extra.yaml"), """
                - route:
                    id: ops-extra
                    description: An operator's route loaded from IU_ROUTES_DIR
                    from:
                      uri: timer:ops-extra
                      parameters:
                        repeatCount: 1
                      steps:
                        - to: "sql:SELECT * FROM fn_iu_core_retention_cleanup('from-ops-route', true)"
                """);
        PipelineService service = new PipelineService(
                DB.db().settings().with(Setting.ROUTES_DIR, routesDir.toString()), DB.db().runtime(),
                Optional.of(DB.db().scheduler()));
        CompletableFuture<Void> running = CompletableFuture.runAsync(() -> {
            try {
                service.run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        await().atMost(Duration.ofSeconds(30)).until(service::started);
        CamelContext context = service.camelContext();
        assertThat(context.getName()).isEqualTo("iu-core");
        assertThat(context.getRoutes()).extracting(r -> r.getRouteId()).contains("outbox-dispatch", "delivery-attempt", "ops-extra");
        await().atMost(Duration.ofSeconds(30)).until(() ->
                DB.db().queryLong("SELECT count(*) FROM iu_core_retention_run WHERE actor = 'from-ops-route'") > 0);

        service.stop();
        running.get(60, TimeUnit.SECONDS);
        assertThat(context.getStatus()).isEqualTo(ServiceStatus.Stopped);
    }

    @Test
    void aRoutesDirectoryThatDoesNotExistIsAClearConfigurationError() {
        Path missing = routesDir.resolve("nope");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new PipelineService(
                        DB.db().settings().with(Setting.ROUTES_DIR, missing.toString()), DB.db().runtime(),
                        Optional.of(DB.db().scheduler())))
                .hasMessageContaining("iu.routes-dir (env IU_ROUTES_DIR) names " + missing)
                .hasMessageContaining("not a directory");
    }

    @Test
    void atTheLargestWorkersSettingEveryWorkerRunsAndTheirQueueTakesAllTheClaimerLeases() {
        int largest = (int) Setting.DELIVERY_WORKERS.rule().max();
        try (RunningPipeline relay = RunningPipeline.start(DB.db(), "largest", Map.of(Setting.DELIVERY_WORKERS, Integer.toString(largest)))) {
            SedaEndpoint queue = relay.camelContext().getRoute("delivery-attempt").getEndpoint() instanceof SedaEndpoint seda ? seda : null;
            assertThat(queue).isNotNull();
            assertThat(queue.getConcurrentConsumers()).isEqualTo(largest);
            // a leased task the queue refused would stay counted and never be tried: its route's slots leak
            assertThat(queue.getSize()).isGreaterThanOrEqualTo(DeliveryClaimer.TASKS_PER_WORKER * largest);
        }
    }

    @Test
    void aPoolTooSmallForTheWorkersAndTheDispatchersIsSaidOnceAtStart() {
        try (LogCapture log = LogCapture.text();
             RunningPipeline small = RunningPipeline.start(DB.db(), "small-pool", Map.of(Setting.DB_POOL_SIZE, "12"))) {
            assertThat(log.output()).containsPattern("WARN .* iu\\.db\\.pool-size 12 is below")
                    .containsOnlyOnce("iu.db.pool-size 12 is below the 13 connections the relay can hold at once "
                            + "(iu.delivery.workers 8 + iu.relay.dispatchers 2 + 3)");
        }
        try (LogCapture log = LogCapture.text();
             RunningPipeline enough = RunningPipeline.start(DB.db(), "enough-pool", Map.of(Setting.DB_POOL_SIZE, "13"))) {
            assertThat(log.output()).doesNotContain("iu.db.pool-size");
        }
    }
}
