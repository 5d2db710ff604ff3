package dev.iucore.pipeline.delivery;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.standardwebhooks.Webhook;
import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.HttpSink;
import dev.iucore.pipeline.testing.KafkaBroker;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.RelayExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An event's {@code event_outbox.headers} go out with its deliveries, through the real relay: as
 * HTTP headers to a real local receiver and as record headers to a real Kafka broker. The trace
 * context under its own names, the rest under {@code iu-header-}, so no producer header can set or
 * override one of ours, the signature's or the protocol's.
 */
class HeaderForwardingTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @RegisterExtension
    static final HttpSink SINK = new HttpSink();

    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension
    static final RelayExtension RELAY = new RelayExtension(DB, "headers-test",
            () -> Map.of(Setting.KAFKA_BROKERS, KAFKA.bootstrapServers()));

    /** The value the build puts into the environment variable IU_WEBHOOK_SECRET_TEST. */
    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    private static final String TRACESTATE = "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE";
    /** What a careless or hostile producer might write, beside the headers it may send. */
    private static final String HEADERS = """
            {"traceparent": "%s", "tracestate": "%s", "X-Tenant": "acme", "correlation_id": 4711,
             "webhook-signature": "v1,forged", "webhook-id": "msg_forged", "content-type": "text/html",
             "host": "evil.example", "kafka.OVERRIDE_TOPIC": "stolen", "bad name": "x", "nested": {"a": 1},
             "multi": "line\\r\\ninjected: yes"}""".formatted(TRACEPARENT, TRACESTATE);

    private final RelayData data = RELAY.data();

    private static UUID event(String eventType, String headers) {
        UUID eventId = UUID.randomUUID();
        DB.db().update("""
                INSERT INTO event_outbox (event_id, event_type, aggregate_type, aggregate_id, payload, headers)
                VALUES (?, ?, 'test', 'order-1', '{"order": 1}', ?::jsonb)""", eventId, eventType, headers);
        return eventId;
    }

    @Test
    void aSignedWebhookCarriesTheTraceContextAndThePrefixedHeadersAndTheSignatureStillVerifies() throws Exception {
        SINK.stub(post(urlEqualTo("/traced")).willReturn(aResponse().withStatus(204)));
        data.registerType("test.headers.http", "live")
                .route("traced-hook", "test.headers.http", SINK.url("/traced"), Map.of("secret_ref", "IU_WEBHOOK_SECRET_TEST"))
                .openGates(false, "traced-hook");
        UUID event = event("test.headers.http", HEADERS);

        await().atMost(WAIT).until(() -> "delivered".equals(data.deliveryStatus(event, "traced-hook")));
        LoggedRequest request = SINK.received("/traced").get(0);
        assertThat(request.getHeader("traceparent")).isEqualTo(TRACEPARENT);
        assertThat(request.getHeader("tracestate")).isEqualTo(TRACESTATE);
        assertThat(request.getHeader("iu-header-x-tenant")).isEqualTo("acme");
        assertThat(request.getHeader("iu-header-correlation_id")).isEqualTo("4711");
        // the producer's attempts at our headers arrive prefixed, ours are untouched
        assertThat(request.getHeader("iu-header-webhook-signature")).isEqualTo("v1,forged");
        assertThat(request.getHeader("iu-header-kafka.override_topic")).isNull();
        assertThat(request.getHeader("webhook-id")).isEqualTo("msg_" + event + "_traced-hook");
        assertThat(request.getHeader("content-type")).isEqualTo("application/json");
        assertThat(request.getHeader("user-agent")).isEqualTo("iu-core-pipeline");
        assertThat(request.getHeader("host")).isNotBlank().doesNotContain("evil");
        assertThat(request.getAllHeaderKeys()).noneMatch(name -> name.contains(" ") || name.equals("injected"))
                .doesNotContain("iu-header-nested", "iu-header-multi", "iu-header-bad name");
        Map<String, List<String>> signed = Map.of(
                "webhook-id", List.of(request.getHeader("webhook-id")),
                "webhook-timestamp", List.of(request.getHeader("webhook-timestamp")),
                "webhook-signature", List.of(request.getHeader("webhook-signature")));
        assertThat(request.getHeader("webhook-signature")).doesNotContain("forged");
        assertThatCode(() -> new Webhook(SECRET).verify(request.getBodyAsString(), signed)).doesNotThrowAnyException();
    }

    @Test
    void aKafkaRecordCarriesTheSameHeadersAndStaysOnItsTopic() throws Exception {
        KAFKA.createTopic("iu.test.traced");
        data.registerType("test.headers.kafka", "live")
                .route("traced-topic", "test.headers.kafka", "kafka:iu.test.traced")
                .openGates(false, "traced-topic");
        UUID event = event("test.headers.kafka", HEADERS);

        await().atMost(WAIT).until(() -> "delivered".equals(data.deliveryStatus(event, "traced-topic")));
        ConsumerRecord<String, String> record = KAFKA.records("iu.test.traced", 1, WAIT).get(0);
        Map<String, String> headers = new HashMap<>();
        for (Header header : record.headers()) {
            headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
        }
        assertThat(headers).containsEntry("traceparent", TRACEPARENT).containsEntry("tracestate", TRACESTATE)
                .containsEntry("iu-header-x-tenant", "acme").containsEntry("iu-header-correlation_id", "4711")
                .containsEntry("iu-header-webhook-id", "msg_forged")
                .containsEntry("webhook-id", "msg_" + event + "_traced-topic")
                .doesNotContainKeys("kafka.OVERRIDE_TOPIC", "iu-header-nested", "iu-header-multi");
        assertThat(record.key()).isEqualTo("order-1");
    }

    @Test
    void anInvalidTraceparentIsLeftOutWithItsTracestateAndTheDeliveryGoesOn() {
        SINK.stub(post(urlEqualTo("/untraced")).willReturn(aResponse().withStatus(204)));
        data.registerType("test.headers.badtrace", "live")
                .route("untraced-hook", "test.headers.badtrace", SINK.url("/untraced"))
                .openGates(false, "untraced-hook");
        UUID event = event("test.headers.badtrace", """
                {"traceparent": "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "tracestate": "rojo=1",
                 "x-request": "r-1"}""");

        await().atMost(WAIT).until(() -> "delivered".equals(data.deliveryStatus(event, "untraced-hook")));
        LoggedRequest request = SINK.received("/untraced").get(0);
        assertThat(request.getHeader("traceparent")).isNull();
        assertThat(request.getHeader("tracestate")).isNull();
        assertThat(request.getHeader("iu-header-traceparent")).isNull();
        assertThat(request.getHeader("iu-header-x-request")).isEqualTo("r-1");
    }

    @Test
    void headersThatAreNoObjectOrOver64KibAreRefusedAtInsertAndNothingIsStored() {
        data.registerType("test.headers.junk", "live");
        long before = DB.db().count("event_outbox");
        for (String junk : List.of("[\"traceparent\"]", "\"a string\"", "null",
                "{\"big\": \"" + "x".repeat(65_536) + "\"}")) {
            assertThatThrownBy(() -> event("test.headers.junk", junk)).as(junk.substring(0, Math.min(20, junk.length())))
                    .hasMessageContaining("event_outbox_headers_object_at_most_64_kib");
        }
        assertThat(DB.db().count("event_outbox")).isEqualTo(before);
        assertThatCode(() -> event("test.headers.junk", "{\"big\": \"" + "x".repeat(60_000) + "\"}")).doesNotThrowAnyException();
    }
}
