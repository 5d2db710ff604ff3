package dev.iucore.pipeline.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.Http11;
import dev.iucore.pipeline.testing.MisbehavingReceiver;
import dev.iucore.pipeline.testing.MisbehavingReceiver.Behaviour;
import dev.iucore.pipeline.testing.MisbehavingReceiver.Received;
import dev.iucore.pipeline.testing.PrometheusText;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.RelayExtension;
import dev.iucore.pipeline.testing.TestDb;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Receivers unlike a polite test server: stalling, trickling, closing every connection. */
class ReceiverBehaviourTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @RegisterExtension
    static final RelayExtension RELAY = new RelayExtension(DB, "receiver-test");

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int CONNECT_MS = 500;
    private static final int READ_MS = 1000;
    /** The delivery lease of such a route: its connect and read timeouts plus 5 s (iu.delivery.lease-ms is larger). */
    private static final long LEASE_FLOOR_MS = CONNECT_MS + READ_MS + 5000;

    private final RelayData data = RELAY.data();

    private static TestDb db() {
        return DB.db();
    }

    @AfterEach
    void closeGates() {
        data.closeGates();
    }

    @ParameterizedTest
    @EnumSource(value = Behaviour.class, names = {"HOLD", "STALL_BODY", "TRICKLE_BODY", "TRICKLE_OK_BODY"})
    void aTryEndsAtItsTimeoutWhateverTheReceiverDoesAndFreesItsSlot(Behaviour behaviour) throws Exception {
        String type = "test.receiver." + behaviour.name().toLowerCase();
        String route = "stall-" + behaviour.name().toLowerCase().replace('_', '-');
        // held, stalled or trickled for ten minutes: only the relay's own deadline ends these tries
        try (MisbehavingReceiver receiver = MisbehavingReceiver.start().behave(behaviour, Duration.ofMinutes(10))) {
            // the circuit kept closed: at its default (open after 5 failures, for 30 s) the sixth try
            // waited half a minute for the probe, which says nothing about the try's deadline
            data.registerType(type, "live").route(route, type, receiver.url("/hook"),
                    Map.of("connect_timeout_ms", CONNECT_MS, "read_timeout_ms", READ_MS, "max_attempts", 1,
                            "circuit_failure_threshold", 100));
            data.openGates(false, route);
            // more events than the route's four in-flight slots: the last ones are tried only if
            // the first tries ended and gave their slots back
            data.events(type, 6);

            await().atMost(WAIT).until(() -> db().queryLong(
                    "SELECT count(*) FROM iu_route_delivery WHERE route_key = ? AND status = 'dead'", route) == 6);
            List<Map<String, Object>> attempts = db().query("""
                    SELECT a.outcome, a.latency_ms, a.error_class, a.error_text FROM iu_route_attempt a
                      JOIN iu_route_delivery d ON d.id = a.delivery_id WHERE d.route_key = ?""", route);
            assertThat(attempts).hasSize(6).allSatisfy(attempt -> {
                assertThat(attempt.get("outcome")).isEqualTo("timeout");
                assertThat(((Number) attempt.get("latency_ms")).longValue())
                        .as("the try ended before its lease did").isLessThan(LEASE_FLOOR_MS);
            });
            // each try sends once, or twice when its first connection ended before any response
            assertThat(receiver.received()).as(attempts.toString()).hasSizeBetween(6, 12);
            assertThat(db().queryLong("""
                    SELECT count(*) FROM iu_route_dead_letter WHERE route_key = ? AND reason = 'attempts_exhausted'""",
                    route)).isEqualTo(6);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Behaviour.class, names = {"HTTP10_CLOSE", "HTTP10_UNTIL_CLOSE"})
    void aReceiverThatClosesEveryConnectionGetsEveryEventAtTheFirstTry(Behaviour behaviour) throws Exception {
        String type = "test.receiver." + behaviour.name().toLowerCase();
        String route = behaviour.name().toLowerCase().replace('_', '-');
        try (MisbehavingReceiver receiver = MisbehavingReceiver.start().behave(behaviour)) {
            data.registerType(type, "live").route(route, type, receiver.url("/hook"),
                    Map.of("max_attempts", 3, "backoff_initial_ms", 60000, "backoff_max_ms", 60000));
            data.openGates(false, route);
            data.events(type, 400);

            await().atMost(WAIT).until(() -> db().queryLong(
                    "SELECT count(*) FROM iu_route_delivery WHERE route_key = ? AND status = 'delivered'", route) == 400);
            // a stale pooled connection never counts as a failure of a healthy receiver
            assertThat(db().query("""
                    SELECT a.outcome, count(*) AS n FROM iu_route_attempt a
                      JOIN iu_route_delivery d ON d.id = a.delivery_id WHERE d.route_key = ?
                     GROUP BY a.outcome""", route))
                    .containsExactly(Map.of("outcome", "delivered", "n", 400L));
        }
    }

    @Test
    void aReceiverThatClosesIdleConnectionsSilentlyGetsEveryEventAtTheFirstTry() throws Exception {
        Duration idle = Duration.ofMillis(200);
        try (MisbehavingReceiver receiver = MisbehavingReceiver.start().behave(Behaviour.IDLE_CLOSE, idle)) {
            data.registerType("test.receiver.idle_close", "live").route("idle-close", "test.receiver.idle_close",
                    receiver.url("/hook"), Map.of("max_attempts", 3, "backoff_initial_ms", 60000, "backoff_max_ms", 60000));
            data.openGates(false, "idle-close");
            for (int n = 1; n <= 6; n++) {
                data.events("test.receiver.idle_close", 1);
                int delivered = n;
                await().atMost(WAIT).until(() -> delivered("idle-close") == delivered);
                // idle longer than the receiver keeps a connection, shorter than the pool's check of an
                // idle one (2 s): the next try takes a pooled connection the receiver has closed
                Thread.sleep(idle.toMillis() * 3);
            }
            assertThat(db().query("""
                    SELECT a.outcome, count(*) AS n FROM iu_route_attempt a
                      JOIN iu_route_delivery d ON d.id = a.delivery_id WHERE d.route_key = 'idle-close'
                     GROUP BY a.outcome""")).containsExactly(Map.of("outcome", "delivered", "n", 6L));
        }
    }

    @Test
    void anEndlessErrorBodyIsCutToItsHeadAndTheTryEndsAtOnce() throws Exception {
        try (MisbehavingReceiver receiver = MisbehavingReceiver.start().behave(Behaviour.ENDLESS_ERROR_BODY, Duration.ofMinutes(10))) {
            data.registerType("test.receiver.endless", "live").route("endless-error", "test.receiver.endless",
                    receiver.url("/hook"), Map.of("connect_timeout_ms", CONNECT_MS, "read_timeout_ms", READ_MS,
                            "max_attempts", 1, "circuit_failure_threshold", 100));
            data.openGates(false, "endless-error");
            data.events("test.receiver.endless", 6);

            await().atMost(WAIT).until(() -> db().queryLong(
                    "SELECT count(*) FROM iu_route_delivery WHERE route_key = 'endless-error' AND status = 'dead'") == 6);
            List<Map<String, Object>> attempts = db().query("""
                    SELECT a.outcome, a.http_status, a.latency_ms, a.error_text FROM iu_route_attempt a
                      JOIN iu_route_delivery d ON d.id = a.delivery_id WHERE d.route_key = 'endless-error'""");
            assertThat(attempts).hasSize(6).allSatisfy(attempt -> {
                assertThat(attempt).containsEntry("outcome", "failed").containsEntry("http_status", 503);
                assertThat((String) attempt.get("error_text")).startsWith("HTTP 503: overload overload").hasSizeLessThan(220);
                assertThat(((Number) attempt.get("latency_ms")).longValue())
                        .as("the rest of the body was not read: no deadline ended the try").isLessThan(READ_MS);
            });
        }
    }

    @Test
    void anEndlessSuccessBodyIsNotWaitedForTheEventIsDelivered() throws Exception {
        try (MisbehavingReceiver receiver = MisbehavingReceiver.start().behave(Behaviour.ENDLESS_OK_BODY, Duration.ofMinutes(10))) {
            data.registerType("test.receiver.endless_ok", "live").route("endless-ok", "test.receiver.endless_ok",
                    receiver.url("/hook"), Map.of("connect_timeout_ms", CONNECT_MS, "read_timeout_ms", READ_MS));
            data.openGates(false, "endless-ok");
            data.events("test.receiver.endless_ok", 6);

            await().atMost(WAIT).until(() -> delivered("endless-ok") == 6);
            List<Map<String, Object>> attempts = db().query("""
                    SELECT a.outcome, a.http_status, a.latency_ms FROM iu_route_attempt a
                      JOIN iu_route_delivery d ON d.id = a.delivery_id WHERE d.route_key = 'endless-ok'""");
            assertThat(attempts).hasSize(6).allSatisfy(attempt -> {
                assertThat(attempt).containsEntry("outcome", "delivered").containsEntry("http_status", 200);
                assertThat(((Number) attempt.get("latency_ms")).longValue())
                        .as("%s bytes read, not the rest: no deadline ended the try", WebhookSender.SUCCESS_BODY_BYTES)
                        .isLessThan(READ_MS);
            });
        }
    }

    @Test
    void aSuccessWhoseBodyBreaksOffIsDeliveredAtTheFirstTry() throws Exception {
        try (MisbehavingReceiver receiver = MisbehavingReceiver.start().behave(Behaviour.TRUNCATED_OK_BODY)) {
            data.registerType("test.receiver.truncated_ok", "live").route("truncated-ok", "test.receiver.truncated_ok",
                    receiver.url("/hook"), Map.of("connect_timeout_ms", CONNECT_MS, "read_timeout_ms", READ_MS));
            data.openGates(false, "truncated-ok");
            data.events("test.receiver.truncated_ok", 6);

            await().atMost(WAIT).until(() -> delivered("truncated-ok") == 6);
            assertThat(db().query("""
                    SELECT a.outcome, a.http_status FROM iu_route_attempt a
                      JOIN iu_route_delivery d ON d.id = a.delivery_id WHERE d.route_key = 'truncated-ok'"""))
                    .as("the receiver's 200 took each event once; its body breaking off fails nothing")
                    .hasSize(6).allSatisfy(attempt -> assertThat(attempt)
                            .containsEntry("outcome", "delivered").containsEntry("http_status", 200));
            assertThat(receiver.received()).as("each sent once").hasSize(6);
        }
    }

    @Test
    void aLargeEventTheReceiverRefusesBeforeItsBodyEndsWithTheReceiversAnswerAtOnce() throws Exception {
        try (MisbehavingReceiver receiver = MisbehavingReceiver.start().behave(Behaviour.REJECT_EARLY)) {
            // far larger than the sockets' buffers: sent at once, most of it would still be on its way
            // when the receiver answers and closes
            UUID event = largeEventTo(receiver, "test.receiver.large", "too-large");

            await().atMost(WAIT).until(() -> "dead".equals(data.deliveryStatus(event, "too-large")));
            assertThat(db().query("""
                    SELECT a.outcome, a.http_status, a.error_text FROM iu_route_attempt a
                      JOIN iu_route_delivery d ON d.id = a.delivery_id WHERE d.route_key = 'too-large'"""))
                    .containsExactly(Map.of("outcome", "permanent_failure", "http_status", 413, "error_text", "HTTP 413: too large"));
            assertThat(receiver.received()).singleElement().extracting(Received::expectContinue).isEqualTo(true);
        }
    }

    /** At the default read timeout (10 s) and at one shorter than the longest wait for {@code 100 Continue} (1 s). */
    @ParameterizedTest
    @ValueSource(ints = {10_000, 400})
    void aLargeEventGoesWholeToAReceiverThatNeverSaysContinueAndASmallOneNeverAsks(int readTimeoutMs) throws Exception {
        String route = "no-continue-" + readTimeoutMs;
        String type = "test.receiver.continue_" + readTimeoutMs;
        try (MisbehavingReceiver receiver = MisbehavingReceiver.start()) {
            data.registerType(type, "live").route(route, type, receiver.url("/hook"),
                    Map.of("connect_timeout_ms", CONNECT_MS, "read_timeout_ms", readTimeoutMs));
            data.openGates(false, route);
            UUID large = data.event(type, "a-1", largePayload());
            UUID small = data.event(type, "a-2", "{\"n\": 1}");

            await().atMost(WAIT).until(() -> "delivered".equals(data.deliveryStatus(large, route))
                    && "delivered".equals(data.deliveryStatus(small, route)));
            assertThat(receiver.received()).extracting(r -> r.webhookId().contains(large.toString()), Received::expectContinue)
                    .as("each delivered at its first try").containsExactlyInAnyOrder(tuple(true, true), tuple(false, false));
        }
    }

    @Test
    void aLargeEventGoesWithoutAskingToAReceiverThatKnowsNoExpectations() throws Exception {
        try (MisbehavingReceiver receiver = MisbehavingReceiver.start().behave(Behaviour.EXPECTATION_FAILED)) {
            UUID event = largeEventTo(receiver, "test.receiver.no_expect", "no-expect");

            await().atMost(WAIT).until(() -> "delivered".equals(data.deliveryStatus(event, "no-expect")));
            assertThat(data.attempts(event, "no-expect")).isEqualTo(1);
            // within the one try: asked and refused with 417, then sent again without asking (as curl does)
            assertThat(receiver.received()).extracting(Received::expectContinue).containsExactly(true, false);
        }
    }

    /** One large event of a type of its own, on a route of its own to the receiver, live. */
    private UUID largeEventTo(MisbehavingReceiver receiver, String type, String route) {
        data.registerType(type, "live").route(route, type, receiver.url("/hook"));
        data.openGates(false, route);
        return data.event(type, "a-1", largePayload());
    }

    private static String largePayload() {
        return "{\"blob\": \"" + "x".repeat(8 * WebhookSender.EXPECT_CONTINUE_BYTES) + "\"}";
    }

    @Test
    void aRouteThatStallsWithAWideWindowHandsBackWhatItCannotTryAndTheOtherRoutesGoOn() throws Exception {
        String wide = "wide-then-stalled";
        String beside = "beside-the-stalled";
        try (MisbehavingReceiver stalling = MisbehavingReceiver.start(); MisbehavingReceiver healthy = MisbehavingReceiver.start()) {
            // the circuit kept closed and no retry due during the test: every timeout below is a first try
            data.registerType("test.receiver.wide", "live").route(wide, "test.receiver.wide", stalling.url("/hook"),
                    Map.of("connect_timeout_ms", CONNECT_MS, "read_timeout_ms", READ_MS, "max_attempts", 100,
                            "circuit_failure_threshold", 1000, "backoff_initial_ms", 600000, "backoff_max_ms", 600000));
            data.registerType("test.receiver.beside", "live").route(beside, "test.receiver.beside", healthy.url("/hook"));
            data.openGates(false, wide, beside);
            // quick successes widen the route's window to its maximum, 128 (one slot each: slow start)
            data.events("test.receiver.wide", 300);
            await().atMost(WAIT).until(() -> delivered(wide) == 300);

            // then it stalls, with as many of its deliveries leased to the workers as its wide window
            // and the workers' queue hold (128; half of that already shows it); the other route's events
            // come after them
            stalling.behave(Behaviour.SLOW, Duration.ofMinutes(10));
            data.events("test.receiver.wide", 200);
            await().atMost(WAIT).until(() -> db().queryLong(
                    "SELECT count(*) FROM iu_route_delivery WHERE route_key = ? AND locked_by IS NOT NULL", wide) >= 64);
            data.events("test.receiver.beside", 20);
            await().atMost(WAIT).until(() -> delivered(beside) == 20);

            // the first tries' timeouts shrank the window; what it had leased beyond it was handed back
            // untried rather than holding every worker a read timeout each (what was queued ahead of the
            // other route's deliveries: 128 timeouts and 36 s here, when it was not)
            long timeouts = db().queryLong("""
                    SELECT count(*) FROM iu_route_attempt a JOIN iu_route_delivery d ON d.id = a.delivery_id
                     WHERE d.route_key = ? AND a.outcome = 'timeout'""", wide);
            assertThat(timeouts).as("the stalled route's tries before the other route's 20 were delivered")
                    .isBetween(1L, 40L);
            assertThat(db().queryLong("""
                    SELECT count(*) FROM iu_route_delivery
                     WHERE route_key = ? AND status = 'pending' AND attempts = 0 AND locked_by IS NULL""", wide))
                    .as("handed back: due, unleased, no attempt").isGreaterThanOrEqualTo(40L);
            assertThat(handedBack(wide)).as("counted, %s", "iu_deliveries_handed_back_total").isGreaterThanOrEqualTo(40);
            // nothing lost, nothing counted that was not tried
            assertThat(db().queryLong("SELECT count(*) FROM iu_route_delivery WHERE route_key = ?", wide)).isEqualTo(500);
            assertThat(db().queryLong("SELECT count(*) FROM iu_route_delivery WHERE route_key = ? AND status = 'dead'", wide)).isZero();
            // in one statement: the stalled route's tries go on timing out meanwhile (308 rows against
            // 311 when read by two, 2026-12-03)
            assertThat(db().query("""
                    SELECT (SELECT count(*) FROM iu_route_attempt a JOIN iu_route_delivery d ON d.id = a.delivery_id
                             WHERE d.route_key = ?) AS attempt_rows,
                           (SELECT sum(attempts) FROM iu_route_delivery WHERE route_key = ?) AS attempts""", wide, wide))
                    .singleElement().satisfies(row -> assertThat(((Number) row.get("attempt_rows")).longValue())
                            .isEqualTo(((Number) row.get("attempts")).longValue()));
        }
    }

    /** iu_deliveries_handed_back_total of the route, as /observe/metrics shows it (read by Prometheus' own parser). */
    private static double handedBack(String route) throws Exception {
        String metrics = Http11.client().send(HttpRequest.newBuilder(
                URI.create(RELAY.pipeline().managementUrl("/observe/metrics"))).build(), HttpResponse.BodyHandlers.ofString()).body();
        return PrometheusText.parse(metrics).stream()
                .filter(sample -> sample.name().equals("iu_deliveries_handed_back_total") && route.equals(sample.labels().get("route")))
                .mapToDouble(PrometheusText.Sample::value).sum();
    }

    private static long delivered(String route) {
        return db().queryLong("SELECT count(*) FROM iu_route_delivery WHERE route_key = ? AND status = 'delivered'", route);
    }
}
