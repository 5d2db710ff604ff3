package dev.iucore.pipeline.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.iucore.pipeline.config.ConfigurationException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * How the OTEL_* configuration (here its property form, which the SDK reads where no variable is
 * set) turns tracing on: off by default, OTLP over HTTP to a real local collector when asked, and a
 * clear refusal for what the artifact cannot do.
 */
class TracingConfigurationTest {

    @Test
    void tracingIsOffWhenNoExporterIsNamed() {
        try (Tracing tracing = Tracing.configured(Map.of())) {
            assertThat(tracing.on()).isFalse();
        }
    }

    @Test
    void anOtlpExporterSendsTheSpansOverHttpToTheConfiguredEndpointUnderOurServiceName() throws Exception {
        List<byte[]> posts = new CopyOnWriteArrayList<>();
        List<String> contentTypes = new CopyOnWriteArrayList<>();
        HttpServer collector = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        collector.createContext("/v1/traces", exchange -> {
            contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
            posts.add(exchange.getRequestBody().readAllBytes());
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
        try (Tracing tracing = Tracing.configured(Map.of("otel.traces.exporter", "otlp",
                "otel.exporter.otlp.endpoint", "http://127.0.0.1:" + collector.getAddress().getPort()))) {
            assertThat(tracing.on()).isTrue();
            tracing.tracer().spanBuilder("iu.test.exported").startSpan().end();
        } finally {
            // closing flushed the batch: it has arrived by now, or arrives in moments
            await().atMost(Duration.ofSeconds(10)).until(() -> !posts.isEmpty());
            collector.stop(0);
        }
        String body = new String(posts.get(0), StandardCharsets.ISO_8859_1);
        assertThat(contentTypes.get(0)).isEqualTo("application/x-protobuf");
        assertThat(body).contains("iu.test.exported").contains(Tracing.SERVICE_NAME);
    }

    @Test
    void otlpOverGrpcIsRefusedWithAMessageNamingTheProtocolToUse() {
        assertThatThrownBy(() -> Tracing.configured(Map.of("otel.traces.exporter", "otlp",
                "otel.exporter.otlp.protocol", "grpc")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf");
    }

    @Test
    void anUnknownExporterIsRefusedWithTheSdksReason() {
        assertThatThrownBy(() -> Tracing.configured(Map.of("otel.traces.exporter", "carrier-pigeon")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("carrier-pigeon");
    }
}
