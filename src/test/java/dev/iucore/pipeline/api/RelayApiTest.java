package dev.iucore.pipeline.api;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.iucore.pipeline.testing.HttpSink;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.RunningPipeline;
import java.time.Duration;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Routes, deliveries, dead letters and event types through the API, on what the real relay did:
 * one event delivered to `ok-hook` and dead-lettered by `strict-hook` (422). A test that replays or
 * resolves makes its own letters, so the tests hold in any order.
 */
class RelayApiTest {

    @RegisterExtension
    static final ApiFixture API = new ApiFixture();

    @RegisterExtension
    static final HttpSink SINK = new HttpSink();

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static RunningPipeline pipeline;
    private static RelayData data;
    private static UUID shared;

    @BeforeAll
    static void anEventThroughTheRelay() {
        data = new RelayData(API.db());
        SINK.stub(post(urlEqualTo("/strict")).willReturn(aResponse().withStatus(422).withBody("missing field")));
        SINK.stub(post(urlEqualTo("/ok")).willReturn(aResponse().withStatus(200)));
        SINK.stub(post(urlEqualTo("/flaky")).willReturn(aResponse().withStatus(422)));
        data.registerType("test.api.order", "live").registerType("test.api.flaky", "live")
                .route("strict-hook", "test.api.order", SINK.url("/strict"))
                .route("ok-hook", "test.api.order", SINK.url("/ok"))
                .route("flaky-hook", "test.api.flaky", SINK.url("/flaky"));
        data.openGates(false, "strict-hook", "ok-hook", "flaky-hook");
        pipeline = RunningPipeline.start(API.db(), "api-test");
        shared = data.event("test.api.order", "order-1", "{\"order\": 1}");
        await().atMost(WAIT).until(() -> "dead".equals(data.deliveryStatus(shared, "strict-hook"))
                && "delivered".equals(data.deliveryStatus(shared, "ok-hook")));
    }

    @AfterAll
    static void stop() {
        pipeline.close();
    }

    @Test
    void routesShowStateCircuitAndCounts() {
        ApiFixture.Response response = API.get("/api/v1/routes?event_type=test.api.order", API.viewer());
        assertThat(response.status()).isEqualTo(200);
        JsonNode strict = find(response.body().path("routes"), "route_key", "strict-hook");
        assertThat(strict.path("state").asText()).isEqualTo("delivering");
        assertThat(strict.path("circuit_state").asText()).isNotBlank();
        assertThat(strict.path("dead_letters_open").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(response.body().path("routes").findValuesAsText("route_key")).containsOnly("strict-hook", "ok-hook");
    }

    @Test
    void deliveriesOfAnEventCarryEveryAttempt() {
        ApiFixture.Response response = API.get("/api/v1/deliveries?event_id=" + shared, API.viewer());
        assertThat(response.status()).isEqualTo(200);
        JsonNode deliveries = response.body().path("deliveries");
        assertThat(deliveries).hasSize(2);
        JsonNode ok = find(deliveries, "route_key", "ok-hook");
        assertThat(ok.path("status").asText()).isEqualTo("delivered");
        assertThat(ok.path("attempt_log").get(0).path("http_status").asInt()).isEqualTo(200);
        JsonNode strict = find(deliveries, "route_key", "strict-hook");
        assertThat(strict.path("attempt_log").get(0).path("outcome").asText()).isEqualTo("permanent_failure");
        assertThat(strict.path("attempt_log").get(0).path("http_status").asInt()).isEqualTo(422);
        assertThat(API.get("/api/v1/deliveries?aggregate_id=order-1&route=strict-hook&status=dead", API.viewer())
                .body().path("deliveries").findValuesAsText("event_id")).contains(shared.toString());
        long id = strict.path("id").asLong();
        assertThat(API.get("/api/v1/deliveries/" + id, API.viewer()).body().path("route_key").asText())
                .isEqualTo("strict-hook");
        assertThat(API.get("/api/v1/deliveries/999999", API.viewer()).status()).isEqualTo(404);
        ApiFixture.Response bad = API.get("/api/v1/deliveries?status=lost", API.viewer());
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().path("detail").asText()).contains("lost");
    }

    @Test
    void deadLettersListAndShowTheEventAsItWasWithItsAttempts() {
        ApiFixture.Response list = API.get("/api/v1/dead-letters?route=strict-hook&reason=permanent_failure", API.viewer());
        assertThat(list.status()).isEqualTo(200);
        JsonNode letter = find(list.body().path("dead_letters"), "event_id", shared.toString());
        ApiFixture.Response show = API.get("/api/v1/dead-letters/" + letter.path("id").asLong(), API.viewer());
        assertThat(show.status()).isEqualTo(200);
        assertThat(show.body().path("event_snapshot").asText()).contains("\"order\": 1");
        assertThat(show.body().path("attempts").get(0).path("http_status").asInt()).isEqualTo(422);
        ApiFixture.Response missing = API.get("/api/v1/dead-letters/999999", API.viewer());
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.contentType()).isEqualTo("application/problem+json");
    }

    @Test
    void aReplayIsRefusedWhileItsGateIsClosedThenDelivers() {
        UUID event = data.event("test.api.flaky", "flaky-1", "{\"n\": 1}");
        await().atMost(WAIT).until(() -> "dead".equals(data.deliveryStatus(event, "flaky-hook")));
        long id = letterOf(event);
        ApiFixture.Response refused = API.post("/api/v1/dead-letters/" + id + "/replay", API.operator(), "{}");
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.body().path("detail").asText()).contains("dead_letter_replay_enabled is closed");
        assertThat(API.lastLogged("dead-letters replay")).containsEntry("outcome", "refused").containsEntry("actor", "alice");

        ApiFixture.Response dryRun = API.post("/api/v1/dead-letters/" + id + "/replay", API.operator(), "{\"dry_run\": true}");
        assertThat(dryRun.status()).isEqualTo(200);
        assertThat(dryRun.body().path("replayed").asInt()).isEqualTo(1);
        assertThat(API.db().queryValue("SELECT replayed_at FROM iu_route_dead_letter WHERE id = ?", id)).isNull();
        assertThat(API.lastLogged("dead-letters replay")).containsEntry("dry_run", true).containsEntry("outcome", "ok");

        SINK.stub(post(urlEqualTo("/flaky")).willReturn(aResponse().withStatus(200)));
        API.post("/api/v1/gates/dead_letter_replay_enabled/open", API.operator(), "{\"reason\": \"receiver fixed\"}");
        try {
            ApiFixture.Response replayed = API.post("/api/v1/dead-letters/replay", API.operator(),
                    "{\"route\": \"flaky-hook\"}");
            assertThat(replayed.status()).isEqualTo(200);
            assertThat(replayed.body().path("replayed").asInt()).isEqualTo(1);
            assertThat(API.db().queryValue("SELECT replayed_by FROM iu_route_dead_letter WHERE id = ?", id))
                    .isEqualTo("alice");
            assertThat(API.lastLogged("dead-letters replay")).containsEntry("outcome", "ok").containsEntry("dry_run", false);
            assertThat((String) API.lastLogged("dead-letters replay").get("row_deltas")).contains("\"iu_route_delivery\": 1");
            await().atMost(WAIT).until(() -> API.db().queryLong("""
                    SELECT count(*) FROM iu_route_delivery WHERE event_id = ? AND status = 'delivered'""", event) == 1);
        } finally {
            API.post("/api/v1/gates/dead_letter_replay_enabled/close", API.operator(), "{\"reason\": \"done\"}");
        }
    }

    @Test
    void resolvingPreviewsInBulkThenClosesOneWithWhoAndWhy() {
        UUID event = data.event("test.api.order", "order-9", "{\"order\": 9}");
        await().atMost(WAIT).until(() -> "dead".equals(data.deliveryStatus(event, "strict-hook")));
        long id = letterOf(event);
        ApiFixture.Response preview = API.post("/api/v1/dead-letters/resolve", API.operator(),
                "{\"route\": \"strict-hook\", \"reason\": \"sent by hand\", \"dry_run\": true}");
        assertThat(preview.status()).isEqualTo(200);
        assertThat(preview.body().path("resolved").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(API.db().queryValue("SELECT resolved_at FROM iu_route_dead_letter WHERE id = ?", id)).isNull();

        ApiFixture.Response resolved = API.post("/api/v1/dead-letters/" + id + "/resolve", API.operator(),
                "{\"reason\": \"sent by hand, ticket 881\"}");
        assertThat(resolved.status()).isEqualTo(200);
        assertThat(API.db().query("SELECT resolved_by, resolution_reason FROM iu_route_dead_letter WHERE id = ?", id).get(0))
                .containsEntry("resolved_by", "alice").containsEntry("resolution_reason", "sent by hand, ticket 881");
        assertThat(API.lastLogged("dead-letters resolve")).containsEntry("actor", "alice").containsEntry("outcome", "ok");

        ApiFixture.Response again = API.post("/api/v1/dead-letters/" + id + "/resolve", API.operator(),
                "{\"reason\": \"twice\"}");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.body().path("detail").asText()).contains(Long.toString(id));
        assertThat(API.lastLogged("dead-letters resolve")).containsEntry("outcome", "refused");
    }

    @Test
    void theOverviewCountsWhatTheRelayDidPerMinute() {
        ApiFixture.Response response = API.get("/api/v1/overview?minutes=30", API.viewer());
        assertThat(response.status()).isEqualTo(200);
        JsonNode perMinute = response.body().path("per_minute");
        assertThat(perMinute).hasSize(30);
        long delivered = 0;
        long dead = 0;
        for (JsonNode minute : perMinute) {
            delivered += minute.path("delivered").asLong();
            dead += minute.path("dead_lettered").asLong();
        }
        assertThat(delivered).isEqualTo(API.db().queryLong("SELECT count(*) FROM iu_route_attempt WHERE outcome = 'delivered'"))
                .isGreaterThanOrEqualTo(1);
        assertThat(dead).isEqualTo(API.db().count("iu_route_dead_letter")).isGreaterThanOrEqualTo(1);
        JsonNode queues = response.body().path("queues");
        assertThat(queues.path("open_dead_letters").asLong()).isEqualTo(API.db().queryLong(
                "SELECT count(*) FROM iu_route_dead_letter WHERE replayed_at IS NULL AND resolved_at IS NULL"));
        assertThat(queues.has("backlog")).isTrue();
        assertThat(queues.has("oldest_pending_age_seconds")).isTrue();
        assertThat(API.get("/api/v1/overview?minutes=5000", API.viewer()).status()).isEqualTo(400);
    }

    @Test
    void eventTypesShowTheirLaneAndBoundaryVerdict() {
        ApiFixture.Response response = API.get("/api/v1/event-types", API.viewer());
        assertThat(response.status()).isEqualTo(200);
        JsonNode internal = find(response.body().path("event_types"), "event_type", "iu.template.instance_auto_composed");
        assertThat(internal.path("delivery_lane").asText()).isEqualTo("delayed");
        assertThat(internal.path("internal_only").asBoolean()).isTrue();
        assertThat(internal.path("internal_only_holds").asBoolean()).isTrue();
        JsonNode order = find(response.body().path("event_types"), "event_type", "test.api.order");
        assertThat(order.path("delivery_lane").asText()).isEqualTo("live");
        assertThat(order.path("outbound_routes").asInt()).isEqualTo(2);
    }

    @Test
    void aHealthCheckThatDoesNotHoldIsAnAnswerNotAnError() {
        ApiFixture.Response health = API.post("/api/v1/verify/health", API.viewer(), "");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body().path("passed").asBoolean()).as("the shared dead letter is open").isFalse();
        assertThat(health.body().path("report").toString()).contains("dead_letters_open");
        assertThat(API.lastLogged("verify health")).containsEntry("actor", "victor").containsEntry("exit_code", 1);
    }

    private static long letterOf(UUID event) {
        return API.db().queryLong("SELECT id FROM iu_route_dead_letter WHERE event_id = ?", event);
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        return StreamSupport.stream(array.spliterator(), false).filter(n -> value.equals(n.path(field).asText()))
                .findFirst().orElseThrow(() -> new AssertionError("no " + field + "=" + value + " in " + array));
    }
}
