package dev.iucore.pipeline.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.HttpSink;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.ServiceJar;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Logs for machines (issue 14): the packaged service with {@code IU_LOG_FORMAT=json} at the default
 * level INFO, two real deliveries to a local receiver. The one that fails writes its outcome line
 * with the event id, route key, delivery id and attempt as MDC fields; the one delivered writes no
 * line of its own at INFO.
 */
class DeliveryLogFieldsIT {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @RegisterExtension
    static final HttpSink SINK = new HttpSink();

    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<JsonNode> jsonLines(String output) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (line.startsWith("{")) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }

    @Test
    void aDeliveryAttemptsLogLineCarriesItsIdsAsMdcFieldsAndADeliveredOneWritesNoLineAtInfo() throws Exception {
        SINK.stub(post(urlEqualTo("/refuses")).willReturn(aResponse().withStatus(500)));
        SINK.stub(post(urlEqualTo("/accepts")).willReturn(aResponse().withStatus(204)));
        RelayData data = new RelayData(DB.db()).registerType("test.log.fields", "live")
                .route("log-refused", "test.log.fields", SINK.url("/refuses"), Map.of("max_attempts", 3, "read_timeout_ms", 10000))
                .route("log-accepted", "test.log.fields", SINK.url("/accepts"))
                .allRoutesLive(false);
        UUID event = data.event("test.log.fields", "log-1", "{\"n\": 1}");

        try (ServiceJar service = ServiceJar.start(DB.db(), "log-fields",
                Map.of(Setting.LOG_FORMAT, "json", Setting.LOG_LEVEL, "INFO"))) {
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> "delivered".equals(data.deliveryStatus(event, "log-accepted"))
                        && data.attempts(event, "log-refused") >= 2);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("deliveries " + DB.db().query("SELECT route_key, status, attempts FROM iu_route_delivery")
                        + "; the service's output:\n" + service.output(), e);
            }
            long refusedId = ((Number) data.delivery(event, "log-refused").get("id")).longValue();
            long acceptedId = ((Number) data.delivery(event, "log-accepted").get("id")).longValue();
            // the outcome line of attempt 2 is written after its record committed: wait for it too
            await().atMost(Duration.ofSeconds(30)).until(() -> jsonLines(service.output()).stream()
                    .anyMatch(l -> "2".equals(l.path("mdc").path("attempt").asText())));

            List<JsonNode> lines = jsonLines(service.output());
            List<JsonNode> refused = lines.stream()
                    .filter(l -> Long.toString(refusedId).equals(l.path("mdc").path("delivery_id").asText())).toList();
            assertThat(refused).isNotEmpty();
            for (JsonNode line : refused) {
                assertThat(line.path("mdc").path("event_id").asText()).isEqualTo(event.toString());
                assertThat(line.path("mdc").path("route_key").asText()).isEqualTo("log-refused");
            }
            assertThat(refused).extracting(l -> l.path("mdc").path("attempt").asText()).contains("1", "2");
            JsonNode first = refused.stream().filter(l -> l.path("mdc").path("attempt").asText().equals("1")
                    && l.path("loggerName").asText().endsWith("DeliveryRecorder")).findFirst().orElseThrow();
            assertThat(first.path("level").asText()).isEqualTo("INFO");
            // a 500 fails; on a loaded machine the first try may time out instead: either way a retry
            String outcome = first.path("kvpList").findValue("outcome").asText();
            assertThat(outcome).isIn("failed", "timeout");
            assertThat(first.path("formattedMessage").asText()).contains("delivery " + refusedId).endsWith(": " + outcome);

            // delivered: no line of its own at INFO, and no line anywhere names it
            assertThat(lines).noneMatch(l -> Long.toString(acceptedId).equals(l.path("mdc").path("delivery_id").asText()));
            assertThat(lines).noneMatch(l -> l.path("formattedMessage").asText().contains("delivery " + acceptedId + " "));
            // the fields leave with the attempt: only the worker trying it and the recorder recording it
            // carry a delivery's ids, no other thread's lines
            assertThat(lines).filteredOn(l -> l.path("mdc").has("delivery_id"))
                    .allMatch(l -> l.path("threadName").asText().contains("delivery-attempt")
                            || l.path("threadName").asText().equals("iu-core-delivery-recorder"));
        }
    }
}
