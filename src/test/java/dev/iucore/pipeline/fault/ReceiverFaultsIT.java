package dev.iucore.pipeline.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.MisbehavingReceiver;
import dev.iucore.pipeline.testing.MisbehavingReceiver.Behaviour;
import dev.iucore.pipeline.testing.MisbehavingReceiver.Received;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.ServiceJar;
import dev.iucore.pipeline.testing.TestDb;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A receiver that is down, then slow, then resets connections, then stalls or trickles its body,
 * in front of the packaged service: nothing is lost, the circuit opens and closes, and every try
 * ends at its route's timeouts, long before its lease (connect + read timeout + 5 s) runs out.
 */
class ReceiverFaultsIT {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final Duration WAIT = Duration.ofSeconds(45);
    private static final int CONNECT_TIMEOUT_MS = 500;
    private static final int READ_TIMEOUT_MS = 1000;
    /** The delivery lease the claim gives these routes: a try must end before it. */
    private static final int LEASE_MS = CONNECT_TIMEOUT_MS + READ_TIMEOUT_MS + 5000;

    private static ServiceJar service;

    @BeforeAll
    static void start() {
        service = ServiceJar.start(DB.db(), "receiver-faults", Map.of(Setting.DELIVERY_LEASE_MS, "1000"));
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    private static TestDb db() {
        return DB.db();
    }

    /** A live route to the receiver with short timeouts, plenty of attempts and a quick circuit. */
    private static RelayData route(String routeKey, String eventType, MisbehavingReceiver receiver, int circuitThreshold) {
        RelayData data = new RelayData(db()).registerType(eventType, "live");
        data.route(routeKey, eventType, receiver.url("/" + routeKey), Map.of(
                "max_attempts", 100, "backoff_initial_ms", 50, "backoff_max_ms", 200,
                "connect_timeout_ms", CONNECT_TIMEOUT_MS, "read_timeout_ms", READ_TIMEOUT_MS,
                "circuit_failure_threshold", circuitThreshold, "circuit_open_ms", 500));
        return data.allRoutesLive(false);
    }

    private static long lastAttemptId() {
        return db().queryLong("SELECT coalesce(max(id), 0) FROM iu_route_attempt");
    }

    /** Waits for a try on the route after attempt {@code after} that ended as {@code outcome}. */
    private static void awaitAttempt(String routeKey, long after, String outcome) {
        await().atMost(WAIT).until(() -> db().queryLong("""
                SELECT count(*) FROM iu_route_attempt a JOIN iu_route_delivery d ON d.id = a.delivery_id
                 WHERE d.route_key = ? AND a.id > ? AND a.outcome = ? AND a.http_status IS NULL""",
                routeKey, after, outcome) > 0);
    }

    private static String circuit(String routeKey) {
        return (String) db().queryValue("SELECT state FROM iu_route_circuit WHERE route_key = ?", routeKey);
    }

    @Test
    void aReceiverDownThenSlowThenResettingLosesNothingAndItsCircuitOpensAndCloses() {
        try (MisbehavingReceiver receiver = MisbehavingReceiver.start()) {
            receiver.behave(Behaviour.DOWN);
            RelayData data = route("flaky-hook", "test.fault.flaky", receiver, 3);
            for (int i = 0; i < 20; i++) {
                data.event("test.fault.flaky", "f-" + i, "{}");
            }
            // down: refused connections open the circuit
            await().atMost(WAIT).until(() -> "open".equals(circuit("flaky-hook")));
            assertThat(db().query("""
                    SELECT DISTINCT a.outcome, a.error_class FROM iu_route_attempt a
                      JOIN iu_route_delivery d ON d.id = a.delivery_id WHERE d.route_key = 'flaky-hook'"""))
                    .containsExactly(Map.of("outcome", "failed", "error_class", "ConnectException"));

            // slow beyond the read timeout: the probe times out
            long slowFrom = lastAttemptId();
            receiver.behave(Behaviour.SLOW, Duration.ofMillis(3 * READ_TIMEOUT_MS));
            awaitAttempt("flaky-hook", slowFrom, "timeout");

            // connections reset once the request is read: a failed try with no status
            long resetFrom = lastAttemptId();
            receiver.behave(Behaviour.RESET);
            awaitAttempt("flaky-hook", resetFrom, "failed");

            // back, answering HTTP/1.0 with Connection: close: the probe closes the circuit, all is delivered
            receiver.behave(Behaviour.HTTP10_CLOSE);
            FlowChecks flow = new FlowChecks(db(), "flaky-hook");
            await().atMost(WAIT).until(() -> flow.delivered() == 20);
            assertThat(db().query("SELECT state, consecutive_failures FROM iu_route_circuit WHERE route_key = 'flaky-hook'"))
                    .containsExactly(Map.of("state", "closed", "consecutive_failures", 0));
            assertThat(db().queryLong("SELECT count(*) FROM iu_route_dead_letter WHERE route_key = 'flaky-hook'")).isZero();
            assertThat(db().queryLong("""
                    SELECT count(*) FROM iu_route_delivery d
                     WHERE route_key = 'flaky-hook'
                       AND attempts <> (SELECT count(*) FROM iu_route_attempt a WHERE a.delivery_id = d.id)""")).isZero();
            List<Received> received = receiver.received();
            assertThat(received).extracting(Received::behaviour)
                    .contains(Behaviour.SLOW, Behaviour.RESET, Behaviour.HTTP10_CLOSE).doesNotContain(Behaviour.DOWN);
            assertTriesEndedBeforeTheirLease("flaky-hook");
        }
    }

    @Test
    void aReceiverThatStallsItsBodyAfterTheHeadersTimesTheTryOutAtTheReadTimeout() {
        bodyWithheld("stalled-hook", "test.fault.stalled", Behaviour.STALL_BODY);
    }

    @Test
    void aReceiverThatTricklesItsBodyTimesTheTryOutAtTheReadTimeout() {
        bodyWithheld("trickled-hook", "test.fault.trickled", Behaviour.TRICKLE_BODY);
    }

    /**
     * The status line and headers come at once, the body not (or a byte now and then) for far longer
     * than the read timeout: the try ends as a timeout near the read timeout, never outliving its
     * lease, and the event is delivered once the receiver answers again.
     */
    private static void bodyWithheld(String routeKey, String eventType, Behaviour withholding) {
        try (MisbehavingReceiver receiver = MisbehavingReceiver.start()) {
            receiver.behave(withholding, Duration.ofSeconds(20));
            RelayData data = route(routeKey, eventType, receiver, 50);
            UUID event = data.event(eventType, "s-1", "{}");
            await().atMost(WAIT).until(() -> data.attempts(event, routeKey) > 0);
            Map<String, Object> first = db().query("""
                    SELECT a.outcome, a.latency_ms FROM iu_route_attempt a JOIN iu_route_delivery d ON d.id = a.delivery_id
                     WHERE d.route_key = ? ORDER BY a.id LIMIT 1""", routeKey).get(0);
            assertThat(first.get("outcome")).as("the first try, %s", first).isEqualTo("timeout");
            assertTriesEndedBeforeTheirLease(routeKey);

            receiver.behave(Behaviour.OK);
            await().atMost(WAIT).until(() -> "delivered".equals(data.deliveryStatus(event, routeKey)));
            assertThat(receiver.received()).extracting(Received::behaviour).startsWith(withholding).endsWith(Behaviour.OK);
        }
    }

    /** No try on the route took as long as its lease: each ended at its own timeout. */
    private static void assertTriesEndedBeforeTheirLease(String routeKey) {
        assertThat(db().queryLong("""
                SELECT max(a.latency_ms) FROM iu_route_attempt a JOIN iu_route_delivery d ON d.id = a.delivery_id
                 WHERE d.route_key = ?""", routeKey)).as("longest try on %s, ms", routeKey).isLessThan(LEASE_MS);
    }
}
