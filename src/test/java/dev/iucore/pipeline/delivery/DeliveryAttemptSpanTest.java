package dev.iucore.pipeline.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.iucore.pipeline.config.CamelCliConnector;
import dev.iucore.pipeline.tracing.Tracing;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An attempt whose record fails (delivery.yaml's doCatch: its lease expires and it is tried again):
 * its span ends as not recorded, with the error, whatever the target said; and while tracing is off
 * the producer's headers go out exactly as written.
 */
class DeliveryAttemptSpanTest {

    private static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();
    private static final String PRODUCER = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    private static DefaultCamelContext camel;
    private static ProducerTemplate producer;
    private static Tracing tracing;

    @BeforeAll
    static void routes() throws Exception {
        tracing = Tracing.using(OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(SPANS)).build())
                .build());
        camel = new DefaultCamelContext();
        CamelCliConnector.off(camel);
        camel.getRegistry().bind("traced", new DeliveryAttemptSpan(tracing));
        camel.getRegistry().bind("untraced", new DeliveryAttemptSpan(Tracing.off()));
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                // the target delivered, then the record failed: the shape of delivery.yaml's try
                from("direct:traced").policy("traced")
                        .doTry()
                            .process(DeliveryAttemptSpanTest::delivered)
                            .throwException(new SQLException("the connection was lost"))
                        .doCatch(Exception.class)
                            .log("not recorded")
                        .end();
                from("direct:untraced").policy("untraced").process(DeliveryAttemptSpanTest::delivered);
            }
        });
        camel.start();
        producer = camel.createProducerTemplate();
    }

    @AfterAll
    static void stop() throws Exception {
        producer.close();
        camel.close();
        tracing.close();
    }

    private static void delivered(Exchange exchange) {
        exchange.getMessage().getBody(DeliveryAttempt.class).ended(AttemptResult.delivered(204, 3));
    }

    private static DeliveryAttempt attempt(Map<String, String> headers) {
        return new DeliveryAttempt(new DeliveryTask(7, UUID.randomUUID(), "test.span", "a-1", "{}", "outbound", "span-hook",
                2, true, "http://127.0.0.1:9/hook", null, 1000, 2000, 5, 100, BigDecimal.valueOf(2), 1000, 5, 30000,
                null, headers, null, 3000, System.nanoTime() + 60_000_000_000L));
    }

    private static Exchange send(String uri, DeliveryAttempt attempt) {
        return producer.send(uri, exchange -> {
            exchange.getMessage().setBody(attempt);
            exchange.getMessage().setHeader(DeliveryAttempt.TARGET, "http");
        });
    }

    @Test
    void anAttemptWhoseRecordFailsEndsItsSpanNotRecordedWithTheError() {
        DeliveryAttempt attempt = attempt(Map.of("traceparent", PRODUCER, "iu-header-x", "1"));
        SPANS.reset();

        Exchange done = send("direct:traced", attempt);

        assertThat(SPANS.getFinishedSpanItems()).hasSize(1);
        SpanData span = SPANS.getFinishedSpanItems().get(0);
        assertThat(span.getAttributes().get(DeliveryAttemptSpan.ATTEMPT)).isEqualTo(3L);
        assertThat(span.getAttributes().get(DeliveryAttemptSpan.OUTCOME)).isEqualTo("delivered");
        assertThat(span.getAttributes().get(DeliveryAttemptSpan.STATUS)).isEqualTo("not_recorded");
        assertThat(span.getAttributes().get(DeliveryAttemptSpan.EVENT_ID)).isEqualTo(attempt.getTask().eventId().toString());
        assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(span.getEvents()).extracting(EventData::getName).contains("exception");
        assertThat(span.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
        // what was sent: this span's context in place of the producer's, the other headers as they were
        Map<String, String> sent = done.getMessage().getBody(DeliveryAttempt.class).getTask().forwardedHeaders();
        assertThat(sent).containsEntry("traceparent",
                "00-" + span.getTraceId() + "-" + span.getSpanId() + "-" + span.getSpanContext().getTraceFlags().asHex())
                .containsEntry("iu-header-x", "1");
    }

    @Test
    void whileTracingIsOffTheProducersHeadersGoOutAsWrittenAndNoSpanIsMade() {
        DeliveryAttempt attempt = attempt(Map.of("traceparent", PRODUCER, "tracestate", "rojo=1"));
        SPANS.reset();

        Exchange done = send("direct:untraced", attempt);

        assertThat(SPANS.getFinishedSpanItems()).isEmpty();
        assertThat(done.getMessage().getBody(DeliveryAttempt.class).getTask().forwardedHeaders())
                .isEqualTo(Map.of("traceparent", PRODUCER, "tracestate", "rojo=1"));
    }
}
