package dev.iucore.pipeline.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.iucore.pipeline.testing.Http11;
import dev.iucore.pipeline.testing.LeftoverPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar's `run` as systemd starts it: configured by environment, JSON logs, health and metrics served. */
class ServiceObservabilityIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;
    @TempDir
    Path routesDir;

    /** A service that would not stop was killed: its embedded PostgreSQL must not outlive the test. */
    @AfterEach
    void nothingLeftRunning() {
        LeftoverPostgres.stop(dataDir);
    }

    @Test
    void runLogsJsonServesHealthAndMetricsOnTheConfiguredPortAndLoadsTheOperatorsRoutes() throws Exception {
        Files.writeString(routesDir.resolve("heartbeat.yaml"), """
                - route:
                    id: ops-heartbeat
                    from:
                      uri: timer:ops-heartbeat
                      parameters:
                        period: 60000
                      steps:
                        - log: "ops heartbeat"
                """);
        int port = JarProcess.freePort();
        JarProcess run = JarProcess.start(Map.of("IU_DATA_DIR", dataDir.toString(), "IU_LOG_FORMAT", "json",
                "IU_ROUTES_DIR", routesDir.toString(), "CAMEL_MANAGEMENT_PORT", Integer.toString(port)), "run");
        try {
            observe(run, port);
        } finally {
            // a failed check must not leave the service (and its embedded PostgreSQL) running
            if (run.alive()) {
                run.terminate(Duration.ofSeconds(90));
            }
        }
    }

    private static void observe(JarProcess run, int port) throws Exception {
        run.awaitLine("iu-core ready:", Duration.ofSeconds(120));

        HttpClient http = Http11.client();
        HttpResponse<String> ready = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/observe/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/observe/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body()).contains("iu_ops_route_files_total{outcome=\"applied\"} 1.0")
                .contains("camel_routes_running_routes");

        assertThat(run.terminate(Duration.ofSeconds(90))).isZero();
        // from the first log line on, every line is one JSON object
        String output = run.output();
        String logs = output.substring(output.indexOf("{\""));
        for (String line : logs.split("\n")) {
            JsonNode event = JSON.readTree(line);
            assertThat(event.has("level") && event.has("loggerName") && event.has("formattedMessage")).as(line).isTrue();
        }
        assertThat(logs).contains("\"formattedMessage\":\"iu-core ready:");
    }
}
