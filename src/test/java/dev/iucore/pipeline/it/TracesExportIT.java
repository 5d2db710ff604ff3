package dev.iucore.pipeline.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.iucore.pipeline.testing.LeftoverPostgres;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar, configured only by OpenTelemetry's standard variables, sends its spans over
 * OTLP/HTTP to a local collector: the SDK's providers are found in the shaded jar and the JDK's
 * HTTP client sends. The demo's events make the spans: batches, and attempts of each demo route.
 */
class TracesExportIT {

    @TempDir
    Path dataDir;

    @AfterEach
    void nothingLeftRunning() {
        LeftoverPostgres.stop(dataDir);
    }

    @Test
    void theJarExportsItsBatchAndAttemptSpansToTheCollectorTheOtelVariablesName() throws Exception {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        HttpServer collector = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        collector.createContext("/v1/traces", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            synchronized (received) {
                received.write(body);
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
        JarProcess.Result demo;
        try {
            demo = JarProcess.run(Map.of("IU_DATA_DIR", dataDir.toString(),
                    "OTEL_TRACES_EXPORTER", "otlp",
                    "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + collector.getAddress().getPort(),
                    "OTEL_BSP_SCHEDULE_DELAY", "200"), "demo", "run", "--exit");
        } finally {
            collector.stop(0);
        }
        assertThat(demo.exitCode()).as(demo.output()).isZero();
        String spans;
        synchronized (received) {
            // protobuf keeps strings as their bytes
            spans = received.toString(StandardCharsets.ISO_8859_1);
        }
        assertThat(spans).contains("iu-core-pipeline", "iu.dispatch.batch", "iu.delivery.attempt",
                "demo-crm", "demo-flaky", "demo-strict", "iu.delivery.outcome", "permanent_failure");
    }
}
