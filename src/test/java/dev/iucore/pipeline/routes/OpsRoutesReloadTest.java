package dev.iucore.pipeline.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.LogCapture;
import dev.iucore.pipeline.testing.RunningPipeline;
import io.micrometer.core.instrument.Counter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.component.timer.TimerEndpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's routes directory under a running service: a good edit is applied, a broken one is
 * rejected with one log line while the routes that ran keep running, a bad file never stops a start.
 */
class OpsRoutesReloadTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @TempDir
    static Path routesDir;
    @TempDir
    static Path drafts;

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static RunningPipeline pipeline;
    private static LogCapture log;

    @BeforeAll
    static void start() throws Exception {
        write("heartbeat.yaml", timerRoute("ops-heartbeat", 60_000));
        write("escape.yaml", """
                - route:
                    id: ops-escape
                    from:
                      uri: timer:ops-escape
                      steps:
                        - to: "exec:sh"
                """);
        log = LogCapture.text(OpsRoutes.class.getName());
        pipeline = RunningPipeline.start(DB.db(), "ops-routes-test", Map.of(Setting.ROUTES_DIR, routesDir.toString()));
    }

    @AfterAll
    static void stop() {
        pipeline.close();
        log.close();
    }

    /** As an editor that saves safely does: the whole file appears at once. */
    private static void write(String name, String yaml) throws Exception {
        Path draft = Files.writeString(drafts.resolve(name), yaml);
        Files.move(draft, routesDir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static String timerRoute(String id, long period) {
        return """
                - route:
                    id: %s
                    description: an operator's schedule
                    from:
                      uri: timer:%s
                      parameters:
                        period: %d
                      steps:
                        - to: direct:outbox-wake
                """.formatted(id, id, period);
    }

    private static Route route(String id) {
        return pipeline.camelContext().getRoute(id);
    }

    private static long period(String id) {
        return ((TimerEndpoint) route(id).getEndpoint()).getPeriod();
    }

    private static boolean running(String id) {
        return route(id) != null && pipeline.camelContext().getRouteController().getRouteStatus(id) == ServiceStatus.Started;
    }

    private static double files(String outcome) {
        Counter counter = pipeline.service().metrics().registry().find("iu.ops.route.files").tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aFileThatFailsTheCheckIsLeftOutAtStartAndTheOthersRun() {
        assertThat(running("ops-heartbeat")).isTrue();
        assertThat(route("ops-escape")).isNull();
        assertThat(running("delivery-attempt")).isTrue();
        assertThat(log.output()).contains("routes file " + routesDir.resolve("escape.yaml")
                + " rejected, left out at start; the other routes start without it: line 6: endpoint scheme `exec` is not allowed");
    }

    @Test
    void aGoodEditChangesAScheduleAndAddsARouteWithoutARestart() throws Exception {
        write("good-edit.yaml", timerRoute("ops-edited", 60_000));
        await().atMost(WAIT).until(() -> running("ops-edited"));

        double applied = files("applied");
        write("good-edit.yaml", timerRoute("ops-edited", 45_000) + timerRoute("ops-added", 30_000));
        await().atMost(WAIT).until(() -> running("ops-added") && period("ops-edited") == 45_000);
        assertThat(files("applied")).isEqualTo(applied + 1);
        assertThat(log.output()).contains("routes file " + routesDir.resolve("good-edit.yaml") + " applied: ops-edited, ops-added");
    }

    @Test
    void aBrokenEditIsRejectedWithOneLineAndTheRunningRoutesKeepRunning() throws Exception {
        write("broken-edit.yaml", timerRoute("ops-steady", 60_000));
        await().atMost(WAIT).until(() -> running("ops-steady"));

        double rejected = files("rejected");
        write("broken-edit.yaml", timerRoute("ops-steady", 1_000).replace("      steps:", "     steps:"));
        await().atMost(WAIT).until(() -> files("rejected") == rejected + 1);
        write("broken-edit.yaml", timerRoute("ops-steady", 1_000).replace("direct:outbox-wake", "https://example.org/out"));
        await().atMost(WAIT).until(() -> files("rejected") == rejected + 2);

        assertThat(running("ops-steady")).isTrue();
        assertThat(period("ops-steady")).isEqualTo(60_000);
        assertThat(log.output()).contains("routes file " + routesDir.resolve("broken-edit.yaml")
                        + " rejected, not applied; the running routes are unchanged: line 8: invalid YAML: ")
                .contains("line 9: endpoint scheme `https` is not allowed in an ops route");
    }

    @Test
    void anEditWhoseRoutesCannotStartIsUndoneAndThePreviousVersionRunsAgain() throws Exception {
        write("undone.yaml", timerRoute("ops-undone", 60_000));
        await().atMost(WAIT).until(() -> running("ops-undone"));

        double rejected = files("rejected");
        // passes the check, fails when the route starts: direct:outbox-wake has its consumer already
        write("undone.yaml", """
                - route:
                    id: ops-undone
                    from:
                      uri: direct:outbox-wake
                      steps:
                        - log: "a second consumer"
                """);
        await().atMost(WAIT).until(() -> files("rejected") == rejected + 1);

        assertThat(running("ops-undone")).isTrue();
        assertThat(period("ops-undone")).isEqualTo(60_000);
        assertThat(log.output()).contains("routes file " + routesDir.resolve("undone.yaml") + " rejected: its routes did not start");
    }

    @Test
    void anOpsFileReplacesAPackagedRouteByIdSoAScheduleChangesWithoutARebuild() throws Exception {
        write("faster-dispatch.yaml", """
                - route:
                    id: outbox-dispatch-poll
                    description: the dispatcher's polling floor, every 250 ms instead of iu.relay.poll-interval-ms
                    from:
                      uri: timer:outbox-dispatch-poll
                      parameters:
                        period: 250
                      steps:
                        - to: direct:outbox-wake
                """);
        await().atMost(WAIT).until(() -> running("outbox-dispatch-poll") && period("outbox-dispatch-poll") == 250);
    }
}
