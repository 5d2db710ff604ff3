package dev.iucore.pipeline.delivery;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.HttpSink;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.RelayExtension;
import dev.iucore.pipeline.testing.TestDb;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Per-route policies: isolation of slow targets, per-aggregate order, the circuit breaker. */
class RoutePolicyTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @RegisterExtension
    static final HttpSink SINK = new HttpSink();

    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final RelayExtension RELAY = new RelayExtension(DB, "policy-test");

    private final RelayData data = RELAY.data();

    private static TestDb db() {
        return DB.db();
    }

    private void allRoutesLive() {
        data.allRoutesLive(false);
    }

    @Test
    void aSlowTargetNeverDelaysAnotherRoutesDeliveries() {
        SINK.stub(post(urlEqualTo("/sluggish")).willReturn(aResponse().withStatus(200).withFixedDelay(4000)));
        SINK.stub(post(urlEqualTo("/brisk")).willReturn(aResponse().withStatus(200)));
        data.registerType("test.policy.slow", "live").registerType("test.policy.fast", "live")
                .route("sluggish-hook", "test.policy.slow", SINK.url("/sluggish"), Map.of("read_timeout_ms", 10000))
                .route("brisk-hook", "test.policy.fast", SINK.url("/brisk"));
        allRoutesLive();
        List<UUID> slow = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            slow.add(data.event("test.policy.slow", "s-" + i, "{}"));
        }
        List<UUID> fast = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            fast.add(data.event("test.policy.fast", "f-" + i, "{}"));
        }
        // the slow route may hold at most its 4 slots of the 8 workers: every fast delivery lands
        // while the slow ones are still queued behind 4 s responses (three rounds: 12 s)
        await().atMost(WAIT).until(() -> fast.stream()
                .allMatch(e -> "delivered".equals(data.deliveryStatus(e, "brisk-hook"))));
        long slowDelivered = slow.stream().filter(e -> "delivered".equals(data.deliveryStatus(e, "sluggish-hook"))).count();
        assertThat(slowDelivered).as("slow deliveries done when all fast ones were").isLessThan(12);
        assertThat(db().queryLong("""
                SELECT max(n) FROM (SELECT count(*) AS n FROM iu_route_attempt a JOIN iu_route_delivery d ON d.id = a.delivery_id
                 WHERE d.route_key = 'sluggish-hook' GROUP BY date_trunc('second', a.attempted_at)) per_second"""))
                .as("at most 4 slow deliveries finish per 4 s round").isLessThanOrEqualTo(4);
    }

    @Test
    void anOrderedRouteKeepsEachAggregatesOrderWhileAnEarlierEventIsRetrying() {
        // the first event of aggregate A fails twice; A's later events must wait, B's need not
        SINK.stub(post(urlEqualTo("/ordered")).atPriority(1).withRequestBody(matchingJsonPath("$[?(@.seq == 1)]"))
                .withRequestBody(matchingJsonPath("$[?(@.agg == 'A')]"))
                .inScenario("a1").whenScenarioStateIs(STARTED).willReturn(aResponse().withStatus(500)).willSetStateTo("once"));
        SINK.stub(post(urlEqualTo("/ordered")).atPriority(1).withRequestBody(matchingJsonPath("$[?(@.seq == 1)]"))
                .withRequestBody(matchingJsonPath("$[?(@.agg == 'A')]"))
                .inScenario("a1").whenScenarioStateIs("once").willReturn(aResponse().withStatus(500)).willSetStateTo("ok"));
        SINK.stub(post(urlEqualTo("/ordered")).atPriority(5).willReturn(aResponse().withStatus(200)));
        data.registerType("test.policy.ordered", "live")
                .route("ordered-hook", "test.policy.ordered", SINK.url("/ordered"),
                        // a read timeout no loaded machine reaches: a timed-out try would be sent again
                        Map.of("ordered", true, "backoff_initial_ms", 300, "backoff_max_ms", 600, "read_timeout_ms", 10000));
        allRoutesLive();
        for (int seq = 1; seq <= 3; seq++) {
            data.event("test.policy.ordered", "A", "{\"agg\": \"A\", \"seq\": " + seq + "}");
            data.event("test.policy.ordered", "B", "{\"agg\": \"B\", \"seq\": " + seq + "}");
        }
        await().atMost(WAIT).until(() -> db().queryLong(
                "SELECT count(*) FROM iu_route_delivery WHERE route_key = 'ordered-hook' AND status = 'delivered'") == 6);

        List<String> aOrder = new ArrayList<>();
        List<String> bOrder = new ArrayList<>();
        List<LoggedRequest> received = new ArrayList<>(SINK.received("/ordered"));
        received.sort(java.util.Comparator.comparing(LoggedRequest::getLoggedDate));
        for (LoggedRequest request : received) {
            String body = request.getBodyAsString();
            String seq = body.replaceAll(".*\"seq\": (\\d+).*", "$1");
            (body.contains("\"A\"") ? aOrder : bOrder).add(seq);
        }
        assertThat(aOrder).containsExactly("1", "1", "1", "2", "3");
        assertThat(bOrder).containsExactly("1", "2", "3");
    }

    @Test
    void aRunOfFailuresOpensTheCircuitDeliveriesWaitWithoutSpendingAttemptsAndAProbeClosesIt() {
        SINK.stub(post(urlEqualTo("/outage")).inScenario("outage").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(503)));
        data.registerType("test.policy.outage", "live")
                .route("outage-hook", "test.policy.outage", SINK.url("/outage"), Map.of(
                        "max_attempts", 50, "backoff_initial_ms", 50, "backoff_max_ms", 50,
                        "circuit_failure_threshold", 3, "circuit_open_ms", 600_000));
        allRoutesLive();
        List<UUID> events = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            events.add(data.event("test.policy.outage", "o-" + i, "{}"));
        }
        // open, and the tries that were already in flight have finished
        await().atMost(WAIT).until(() -> "open".equals(db().queryValue(
                "SELECT state FROM iu_route_circuit WHERE route_key = 'outage-hook'")) && db().queryLong("""
                SELECT count(*) FROM iu_route_delivery WHERE route_key = 'outage-hook' AND locked_until > now()""") == 0);
        long attemptsWhenOpened = db().queryLong("""
                SELECT count(*) FROM iu_route_attempt a JOIN iu_route_delivery d ON d.id = a.delivery_id
                 WHERE d.route_key = 'outage-hook'""");
        // while open (ten minutes: no probe can come due, however slow the machine), nothing more is
        // tried though every delivery is due (backoff 50 ms): the attempts stay where they are
        await().during(Duration.ofMillis(1500)).atMost(WAIT).until(() -> db().queryLong("""
                SELECT count(*) FROM iu_route_attempt a JOIN iu_route_delivery d ON d.id = a.delivery_id
                 WHERE d.route_key = 'outage-hook'""") == attemptsWhenOpened);
        assertThat(attemptsWhenOpened).as("in-flight tries may finish, then nothing").isLessThanOrEqualTo(4 + 3);

        // the target recovers and the open time is over (moved to now): the probe closes the circuit
        // and everything is delivered
        SINK.stub(post(urlEqualTo("/outage")).inScenario("outage").whenScenarioStateIs("recovered")
                .willReturn(aResponse().withStatus(200)));
        SINK.server().setScenarioState("outage", "recovered");
        db().update("UPDATE iu_route_circuit SET next_probe_at = now() WHERE route_key = 'outage-hook'");
        await().atMost(WAIT).until(() -> events.stream()
                .allMatch(e -> "delivered".equals(data.deliveryStatus(e, "outage-hook"))));
        assertThat(db().query("SELECT state, consecutive_failures FROM iu_route_circuit WHERE route_key = 'outage-hook'"))
                .containsExactly(Map.of("state", "closed", "consecutive_failures", 0));
        assertThat(db().queryLong("SELECT count(*) FROM iu_route_dead_letter WHERE route_key = 'outage-hook'")).isZero();
    }

    @Test
    void aRateLimitedRouteTriesAtMostItsRatePerSecond() {
        SINK.stub(post(urlEqualTo("/limited")).willReturn(aResponse().withStatus(200)));
        data.registerType("test.policy.limited", "live")
                .route("limited-hook", "test.policy.limited", SINK.url("/limited"), Map.of("rate_limit_per_second", 5));
        allRoutesLive();
        long start = System.nanoTime();
        data.events("test.policy.limited", 20);
        await().atMost(WAIT).until(() -> db().queryLong(
                "SELECT count(*) FROM iu_route_delivery WHERE route_key = 'limited-hook' AND status = 'delivered'") == 20);
        // 20 tries at 5 per second cannot take less than 3 s, however fast the machine
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofSeconds(3));
        assertThat(db().queryLong("""
                SELECT max(n) FROM (SELECT count(*) OVER (ORDER BY a.attempted_at
                                                          RANGE BETWEEN interval '999 milliseconds' PRECEDING AND CURRENT ROW) AS n
                                      FROM iu_route_attempt a JOIN iu_route_delivery d ON d.id = a.delivery_id
                                     WHERE d.route_key = 'limited-hook') windows"""))
                .as("tries in any one second").isLessThanOrEqualTo(5);
    }
}
