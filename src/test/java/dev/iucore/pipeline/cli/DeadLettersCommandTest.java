package dev.iucore.pipeline.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.iucore.pipeline.testing.Cli;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.HttpSink;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.RunningPipeline;
import dev.iucore.pipeline.testing.TestDb;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * dead-letters list, show and replay, on dead letters the real relay wrote. The two letters made
 * before all tests are only read; a test that replays makes its own, so the tests hold in any order.
 */
class DeadLettersCommandTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @RegisterExtension
    static final HttpSink SINK = new HttpSink();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static RunningPipeline pipeline;
    private static RelayData data;
    private static UUID rejected;
    private static UUID stray;
    /** When the two shared letters were written: listings up to then see exactly them. */
    private static String shared;

    @BeforeAll
    static void deadLettersFromTheRelay() {
        data = new RelayData(DB.db());
        SINK.stub(post(urlEqualTo("/strict")).willReturn(aResponse().withStatus(422).withBody("missing field")));
        data.registerType("test.dl.order", "live").route("strict-hook", "test.dl.order", SINK.url("/strict"));
        data.openGates(false, "strict-hook");
        pipeline = RunningPipeline.start(DB.db(), "dl-test");
        rejected = data.event("test.dl.order", "order-1", "{\"order\": 1}");
        stray = data.event("test.dl.typo", "order-1", "{}");
        await().atMost(WAIT).until(() -> db().count("iu_route_dead_letter") == 2);
        shared = java.time.Instant.now().toString();
    }

    /** The gates as the shared letters were made: deliveries open to strict-hook, replays closed. */
    @BeforeEach
    void baselineGates() {
        data.openGates(false, "strict-hook");
        db().update("UPDATE iu_core_gate SET gate_value = 'false' WHERE gate_name = 'dead_letter_replay_enabled'");
    }

    @AfterAll
    static void stop() {
        pipeline.close();
    }

    private static TestDb db() {
        return DB.db();
    }

    private static Cli.Result iuCore(String... args) {
        return Cli.run(db().settings(), args);
    }

    private static long letterOf(UUID event) {
        return db().queryLong("SELECT id FROM iu_route_dead_letter WHERE event_id = ? AND replayed_at IS NULL", event);
    }

    @Test
    void listShowsEveryDeadLetterAndFilters() throws Exception {
        Cli.Result table = iuCore("dead-letters", "list", "--until", shared);
        assertThat(table.exitCode()).isZero();
        assertThat(table.out()).contains("permanent_failure").contains("strict-hook").contains("unregistered_type")
                .contains("2 dead letter(s)");

        JsonNode filtered = JSON.readTree(iuCore("dead-letters", "list", "--reason", "unregistered_type", "--until", shared, "--json").out());
        assertThat(filtered.get("dead_letters")).hasSize(1);
        assertThat(filtered.get("dead_letters").get(0).get("event_type").asText()).isEqualTo("test.dl.typo");
        JsonNode none = JSON.readTree(iuCore("dead-letters", "list", "--since", "2999-01-01T00:00:00Z", "--json").out());
        assertThat(none.get("dead_letters")).isEmpty();
    }

    @Test
    void showGivesTheEventAndItsAttempts() throws Exception {
        long id = letterOf(rejected);
        Cli.Result shown = iuCore("dead-letters", "show", Long.toString(id));
        assertThat(shown.exitCode()).isZero();
        assertThat(shown.out()).contains("permanent_failure").contains("HTTP 422: missing field").contains("\"order\": 1");
        JsonNode json = JSON.readTree(iuCore("dead-letters", "show", Long.toString(id), "--json").out());
        assertThat(json.get("attempts")).hasSize(1);
        assertThat(json.get("attempts").get(0).get("http_status").asInt()).isEqualTo(422);

        Cli.Result unknown = iuCore("dead-letters", "show", "999999");
        assertThat(unknown.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(unknown.err()).contains("no dead letter 999999");
    }

    @Test
    void replayNeedsItsGateAndASelection() {
        long logBefore = db().queryLong("SELECT coalesce(max(id), 0) FROM iu_command_log");
        Cli.Result refused = iuCore("dead-letters", "replay", "--route", "strict-hook", "--actor", "ops");
        assertThat(refused.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(refused.err()).contains("gate dead_letter_replay_enabled is closed");
        assertThat(iuCore("dead-letters", "replay", "--actor", "ops").exitCode()).isEqualTo(ExitCode.USAGE);

        Cli.Result dry = iuCore("dead-letters", "replay", "--route", "strict-hook", "--actor", "ops", "--dry-run");
        assertThat(dry.exitCode()).isZero();
        assertThat(dry.out()).contains("would replay").contains("dry run: 1 replayed, 0 refused");
        assertSharedLettersNotReplayed();
        assertThat(db().queryValue("SELECT outcome FROM iu_command_log WHERE command_name = 'dead-letters replay' AND id > ?"
                + " ORDER BY id LIMIT 1", logBefore)).isEqualTo("refused");
    }

    @Test
    void aReplayIntoAClosedGateOrADisabledOrUnlistedRouteSaysSoAndChangesNothing() {
        db().update("UPDATE iu_core_gate SET gate_value = 'true' WHERE gate_name = 'dead_letter_replay_enabled'");
        db().update("UPDATE iu_outbound_route SET enabled = false WHERE route_key = 'strict-hook'");
        try {
            Cli.Result disabled = iuCore("dead-letters", "replay", Long.toString(letterOf(rejected)), "--actor", "ops");
            assertThat(disabled.exitCode()).isEqualTo(ExitCode.FAILED);
            assertThat(disabled.out()).contains("refused").contains("route strict-hook is disabled");
        } finally {
            db().update("UPDATE iu_outbound_route SET enabled = true WHERE route_key = 'strict-hook'");
        }
        db().update("UPDATE iu_core_gate SET gate_value = '' WHERE gate_name = 'delivery_live_routes'");
        Cli.Result unlisted = iuCore("dead-letters", "replay", Long.toString(letterOf(rejected)), "--actor", "ops");
        assertThat(unlisted.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(unlisted.out()).contains("refused").contains("not listed in gate delivery_live_routes");

        db().update("UPDATE iu_core_gate SET gate_value = 'false' WHERE gate_name = 'delivery_enabled'");
        Cli.Result closed = iuCore("dead-letters", "replay", "--all", "--actor", "ops");
        assertThat(closed.out()).contains("gate delivery_enabled is closed").contains("event type is still unregistered");
        assertSharedLettersNotReplayed();
    }

    private static void assertSharedLettersNotReplayed() {
        assertThat(db().queryLong("SELECT count(*) FROM iu_route_dead_letter WHERE event_id IN (?, ?) AND replayed_at IS NOT NULL",
                rejected, stray)).isZero();
        assertThat(db().queryLong("SELECT count(*) FROM iu_route_delivery WHERE event_id IN (?, ?) AND replay_of IS NOT NULL",
                rejected, stray)).isZero();
    }

    @Test
    void aReplayCreatesAFreshDeliveryKeepsTheHistoryAndIsDelivered() {
        SINK.stub(post(urlEqualTo("/strict-then-fixed")).willReturn(aResponse().withStatus(422)));
        data.registerType("test.dl.fixed", "live").route("fixed-hook", "test.dl.fixed", SINK.url("/strict-then-fixed"))
                .openGates(false, "strict-hook", "fixed-hook");
        UUID refusedOnce = data.event("test.dl.fixed", "order-2", "{\"order\": 2}");
        await().atMost(WAIT).until(() -> letterOf(refusedOnce) > 0);
        SINK.stub(post(urlEqualTo("/strict-then-fixed")).atPriority(1).willReturn(aResponse().withStatus(200)));
        db().update("UPDATE iu_core_gate SET gate_value = 'true' WHERE gate_name = 'dead_letter_replay_enabled'");
        long id = letterOf(refusedOnce);
        Cli.Result replayed = iuCore("dead-letters", "replay", Long.toString(id), "--actor", "ops-carol", "--json");
        assertThat(replayed.exitCode()).as(replayed.err()).isZero();

        Map<String, Object> letter = db().query(
                "SELECT replayed_by, replay_delivery_id, delivery_id FROM iu_route_dead_letter WHERE id = ?", id).get(0);
        assertThat(letter.get("replayed_by")).isEqualTo("ops-carol");
        long fresh = (Long) letter.get("replay_delivery_id");
        assertThat(db().queryValue("SELECT replay_of FROM iu_route_delivery WHERE id = ?", fresh)).isEqualTo(letter.get("delivery_id"));
        await().atMost(WAIT).until(() -> "delivered".equals(db().queryValue("SELECT status FROM iu_route_delivery WHERE id = ?", fresh)));
        // the dead delivery and its attempt stay as they were
        assertThat(db().query("SELECT status, attempts FROM iu_route_delivery WHERE id = ?", letter.get("delivery_id")))
                .containsExactly(Map.of("status", "dead", "attempts", 1));
        assertThat(SINK.received("/strict-then-fixed")).extracting(r -> r.getHeader("webhook-id"))
                .containsExactly("msg_" + refusedOnce + "_fixed-hook", "msg_" + refusedOnce + "_fixed-hook");
        assertThat(db().queryValue("SELECT actor FROM iu_command_log WHERE command_name = 'dead-letters replay' ORDER BY id DESC LIMIT 1"))
                .isEqualTo("ops-carol");

        Cli.Result again = iuCore("dead-letters", "replay", Long.toString(id), "--actor", "ops-carol");
        assertThat(again.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(again.err()).contains("already replayed");
    }

    @Test
    void anUnregisteredTypeOnceRegisteredIsRequeuedForDispatch() {
        UUID early = data.event("test.dl.early", "order-3", "{}");
        await().atMost(WAIT).until(() -> letterOf(early) > 0);
        data.registerType("test.dl.early", "live");
        db().update("UPDATE iu_core_gate SET gate_value = 'true' WHERE gate_name = 'dead_letter_replay_enabled'");
        Cli.Result replayed = iuCore("dead-letters", "replay", "--event-type", "test.dl.early", "--actor", "ops");
        assertThat(replayed.exitCode()).isZero();
        assertThat(replayed.out()).contains("event requeued for dispatch");
        await().atMost(WAIT).until(() -> "dispatched".equals(data.status(early)));
    }
}
