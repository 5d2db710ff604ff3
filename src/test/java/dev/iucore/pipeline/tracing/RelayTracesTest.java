package dev.iucore.pipeline.tracing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.HttpSink;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.RunningPipeline;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The relay's spans, through the real service on a real database to a real local receiver, caught by
 * the SDK's in-memory exporter: a batch span per dispatch batch, an attempt span per try with its
 * event, route, attempt and outcome, all of an event's attempts in the producer's trace, and the
 * attempt's own context on the wire.
 */
class RelayTracesTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @RegisterExtension
    static final HttpSink SINK = new HttpSink();

    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Timeouts no busy test machine reaches: each test counts its attempts exactly. */
    private static final Map<String, Object> PATIENT = Map.of("connect_timeout_ms", 10_000, "read_timeout_ms", 20_000);
    private static final String PRODUCER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PRODUCER_SPAN = "00f067aa0ba902b7";
    private static final AttributeKey<String> EVENT_ID = AttributeKey.stringKey("iu.event_id");
    private static final AttributeKey<List<String>> EVENT_IDS = AttributeKey.stringArrayKey("iu.event_ids");
    private static final AttributeKey<String> ROUTE_KEY = AttributeKey.stringKey("iu.route_key");
    private static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("iu.delivery.attempt");
    private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("iu.delivery.outcome");
    private static final AttributeKey<String> STATUS = AttributeKey.stringKey("iu.delivery.status");
    private static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");

    private static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();
    private static RunningPipeline pipeline;
    private final RelayData data = new RelayData(DB.db());

    @BeforeAll
    static void start() {
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(SPANS)).build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build();
        pipeline = RunningPipeline.start(DB.db(), "traces-test", Map.of(), Tracing.using(sdk));
    }

    @AfterAll
    static void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    private static UUID event(String eventType, String headers) {
        UUID eventId = UUID.randomUUID();
        DB.db().update("""
                INSERT INTO event_outbox (event_id, event_type, aggregate_type, aggregate_id, payload, headers)
                VALUES (?, ?, 'test', 'order-1', '{"order": 1}', ?::jsonb)""", eventId, eventType, headers);
        return eventId;
    }

    private static List<SpanData> attempts(UUID event) {
        return SPANS.getFinishedSpanItems().stream()
                .filter(span -> span.getName().equals("iu.delivery.attempt"))
                .filter(span -> event.toString().equals(span.getAttributes().get(EVENT_ID)))
                .sorted(Comparator.comparing(span -> span.getAttributes().get(ATTEMPT)))
                .toList();
    }

    private static SpanData batchOf(UUID event) {
        return SPANS.getFinishedSpanItems().stream()
                .filter(span -> span.getName().equals("iu.dispatch.batch"))
                .filter(span -> span.getAttributes().get(EVENT_IDS) != null
                        && span.getAttributes().get(EVENT_IDS).contains(event.toString()))
                .findFirst().orElseThrow();
    }

    @Test
    void oneEventGivesItsDispatchBatchSpanAndOneAttemptSpanWithEventRouteAttemptAndOutcome() {
        SINK.stub(post(urlEqualTo("/traced-once")).willReturn(aResponse().withStatus(204)));
        data.registerType("test.trace.once", "live")
                .route("trace-once", "test.trace.once", SINK.url("/traced-once"), PATIENT)
                .openGates(false, "trace-once");
        UUID event = event("test.trace.once", "{}");

        await().atMost(WAIT).until(() -> attempts(event).size() == 1);
        assertThat(data.deliveryStatus(event, "trace-once")).isEqualTo("delivered");
        SpanData batch = batchOf(event);
        assertThat(batch.getAttributes().get(AttributeKey.stringKey("iu.dispatch.outcome"))).isEqualTo("committed");
        assertThat(batch.getAttributes().get(AttributeKey.stringKey("iu.dispatch.lane"))).isEqualTo("live");
        assertThat(batch.getAttributes().get(AttributeKey.longKey("iu.dispatch.dispatched"))).isGreaterThanOrEqualTo(1L);
        assertThat(batch.getParentSpanContext().isValid()).isFalse();

        SpanData attempt = attempts(event).get(0);
        assertThat(attempt.getKind()).isEqualTo(SpanKind.CLIENT);
        assertThat(attempt.getAttributes().get(ROUTE_KEY)).isEqualTo("trace-once");
        assertThat(attempt.getAttributes().get(ATTEMPT)).isEqualTo(1L);
        assertThat(attempt.getAttributes().get(OUTCOME)).isEqualTo("delivered");
        assertThat(attempt.getAttributes().get(STATUS)).isEqualTo("delivered");
        assertThat(attempt.getAttributes().get(HTTP_STATUS)).isEqualTo(204L);
        assertThat(attempt.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        // no producer context: the attempt starts a trace, and the receiver is told to join it
        assertThat(attempt.getParentSpanContext().isValid()).isFalse();
        // what a collector receives: no payload, no target
        assertThat(List.of(batch, attempt)).allSatisfy(span -> assertThat(span.getAttributes().asMap().values())
                .noneMatch(value -> value.toString().contains("order") || value.toString().contains("/traced-once")));
        LoggedRequest request = SINK.received("/traced-once").get(0);
        assertThat(request.getHeader("traceparent"))
                .isEqualTo("00-" + attempt.getTraceId() + "-" + attempt.getSpanId() + "-"
                        + attempt.getSpanContext().getTraceFlags().asHex());
    }

    @Test
    void aFailedThenRetriedDeliveryOfATracedEventGivesTwoAttemptSpansInTheProducersTrace() {
        SINK.stub(post(urlEqualTo("/traced-flaky")).inScenario("traced-flaky").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
        SINK.stub(post(urlEqualTo("/traced-flaky")).inScenario("traced-flaky").whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(204)));
        data.registerType("test.trace.flaky", "live")
                .route("trace-flaky", "test.trace.flaky", SINK.url("/traced-flaky"), PATIENT)
                .openGates(false, "trace-flaky");
        UUID event = event("test.trace.flaky", """
                {"traceparent": "00-%s-%s-01", "tracestate": "rojo=00f067aa0ba902b7"}"""
                .formatted(PRODUCER_TRACE, PRODUCER_SPAN));

        await().atMost(WAIT).until(() -> attempts(event).size() == 2);
        assertThat(data.deliveryStatus(event, "trace-flaky")).isEqualTo("delivered");
        List<SpanData> attempts = attempts(event);
        SpanData failed = attempts.get(0);
        SpanData delivered = attempts.get(1);
        assertThat(attempts).allSatisfy(attempt -> {
            assertThat(attempt.getTraceId()).isEqualTo(PRODUCER_TRACE);
            assertThat(attempt.getParentSpanId()).isEqualTo(PRODUCER_SPAN);
            assertThat(attempt.getParentSpanContext().isRemote()).isTrue();
            assertThat(attempt.getAttributes().get(ROUTE_KEY)).isEqualTo("trace-flaky");
        });
        assertThat(failed.getAttributes().get(ATTEMPT)).isEqualTo(1L);
        assertThat(failed.getAttributes().get(OUTCOME)).isEqualTo("failed");
        assertThat(failed.getAttributes().get(STATUS)).isEqualTo("retrying");
        assertThat(failed.getAttributes().get(HTTP_STATUS)).isEqualTo(503L);
        assertThat(failed.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(delivered.getAttributes().get(ATTEMPT)).isEqualTo(2L);
        assertThat(delivered.getAttributes().get(OUTCOME)).isEqualTo("delivered");
        assertThat(delivered.getAttributes().get(STATUS)).isEqualTo("delivered");

        // the batch has a trace of its own and links to the producer's context, as batches do
        SpanData batch = batchOf(event);
        assertThat(batch.getTraceId()).isNotEqualTo(PRODUCER_TRACE);
        assertThat(batch.getLinks()).extracting(LinkData::getSpanContext)
                .anySatisfy(link -> {
                    assertThat(link.getTraceId()).isEqualTo(PRODUCER_TRACE);
                    assertThat(link.getSpanId()).isEqualTo(PRODUCER_SPAN);
                });

        // each request carries its own attempt's context, still in the producer's trace, with its tracestate
        List<LoggedRequest> requests = SINK.received("/traced-flaky");
        assertThat(requests).extracting(request -> request.getHeader("traceparent")).containsExactly(
                "00-" + PRODUCER_TRACE + "-" + failed.getSpanId() + "-01",
                "00-" + PRODUCER_TRACE + "-" + delivered.getSpanId() + "-01");
        assertThat(requests).extracting(request -> request.getHeader("tracestate"))
                .containsOnly("rojo=00f067aa0ba902b7");
    }
}
