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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Leases and gates under the packaged service: a try that lost its lease records nothing; a gate closed mid-flight stops the work. */
class LeaseAndGateIT {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final Duration WAIT = Duration.ofSeconds(45);
    private static final int ROUTE_CONCURRENCY = 4;
    private static final Map<Setting, String> SETTINGS = Map.of(
            // a window that stays where it starts: what is leased at the close is known
            Setting.DELIVERY_ROUTE_CONCURRENCY, Integer.toString(ROUTE_CONCURRENCY),
            Setting.DELIVERY_ROUTE_CONCURRENCY_MAX, Integer.toString(ROUTE_CONCURRENCY),
            Setting.DELIVERY_LEASE_MS, "1000");

    private static TestDb db() {
        return DB.db();
    }

    private static long lastAttemptId() {
        return db().queryLong("SELECT coalesce(max(id), 0) FROM iu_route_attempt");
    }

    @Test
    void aTryThatOutlivedItsLeaseRecordsNothingAndTheTryThatReclaimedItCounts() {
        RelayData data = new RelayData(db());
        try (MisbehavingReceiver receiver = MisbehavingReceiver.start().behave(Behaviour.HOLD);
             ServiceJar a = ServiceJar.start(db(), "lease-a", SETTINGS);
             ServiceJar b = ServiceJar.start(db(), "lease-b", SETTINGS)) {
            data.registerType("test.fault.lease", "live").route("lease-hook", "test.fault.lease", receiver.url("/lease"),
                    Map.of("read_timeout_ms", 10_000));
            data.openGates(false, "lease-hook");
            UUID event = data.event("test.fault.lease", "l-1", "{}");
            await().atMost(WAIT).until(() -> receiver.received().size() == 1);
            String holder = (String) data.delivery(event, "lease-hook").get("locked_by");
            ServiceJar holding = holder.equals(a.node()) ? a : b;

            // the lease runs out while the try is still in flight, as if the try had outlived it:
            // a relay (either) claims the delivery again and its try is answered at once
            receiver.behave(Behaviour.OK);
            db().update("UPDATE iu_route_delivery SET locked_until = now() WHERE event_id = ?", event);
            await().atMost(WAIT).until(() -> "delivered".equals(data.deliveryStatus(event, "lease-hook")));
            receiver.release();
            await().atMost(WAIT).until(() -> holding.output().contains("no longer holds its lease"));

            List<Map<String, Object>> attempts = db().query("""
                    SELECT a.attempt_no, a.outcome, a.node FROM iu_route_attempt a JOIN iu_route_delivery d ON d.id = a.delivery_id
                     WHERE d.event_id = ?""", event);
            assertThat(attempts).as("only the try that held the lease when it ended is recorded").hasSize(1);
            assertThat(attempts.get(0)).containsEntry("attempt_no", 1).containsEntry("outcome", "delivered");
            assertThat(data.delivery(event, "lease-hook")).containsEntry("attempts", 1).containsEntry("locked_by", null);
            assertThat(receiver.received()).extracting(Received::webhookId, Received::attempt)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("msg_" + event + "_lease-hook", 1),
                            org.assertj.core.groups.Tuple.tuple("msg_" + event + "_lease-hook", 1));
        }
    }

    @Test
    void closingTheGateMidFlightStopsPendingAndRetryingDeliveriesAtOnceAndLosesNothing() {
        RelayData data = new RelayData(db());
        FlowChecks flow = new FlowChecks(db(), "gate-hook");
        try (MisbehavingReceiver receiver = MisbehavingReceiver.start().behave(Behaviour.SLOW, Duration.ofMillis(50));
             ServiceJar service = ServiceJar.start(db(), "gated", SETTINGS)) {
            data.registerType("test.fault.gate", "live").route("gate-hook", "test.fault.gate", receiver.url("/gate"),
                    Map.of("max_attempts", 100, "backoff_initial_ms", 50, "backoff_max_ms", 200,
                            "circuit_failure_threshold", 1000));
            data.openGates(false, "gate-hook");
            data.events("test.fault.gate", 400);
            await().atMost(WAIT).until(() -> flow.delivered() >= 40);
            // failing slowly, so most deliveries are still pending when the first few are retrying
            receiver.behave(Behaviour.FAIL, Duration.ofMillis(100));
            await().atMost(WAIT).until(() -> db().queryLong(
                    "SELECT count(*) FROM iu_route_delivery WHERE status = 'retrying'") >= ROUTE_CONCURRENCY);

            db().update("UPDATE iu_core_gate SET gate_value = 'false' WHERE gate_name = 'delivery_enabled'");
            long atClose = lastAttemptId();
            // the tries in flight at the close end (at most the route's concurrency of them), then nothing more
            await().atMost(WAIT).until(() -> db().queryLong("""
                    SELECT count(*) FROM iu_route_delivery WHERE locked_until > now() AND status IN ('pending', 'retrying')""") == 0);
            long drained = lastAttemptId();
            assertThat(db().queryLong("SELECT count(*) FROM iu_route_attempt WHERE id > ?", atClose))
                    .as("tries recorded after the gate closed").isLessThanOrEqualTo(ROUTE_CONCURRENCY);
            await().during(Duration.ofSeconds(2)).atMost(WAIT).until(() -> lastAttemptId() == drained);
            assertThat(db().queryLong("""
                    SELECT count(*) FROM iu_route_delivery WHERE status = 'retrying' AND next_attempt_at <= now()"""))
                    .as("retries due (backoff at most 200 ms), held back by the closed gate").isGreaterThanOrEqualTo(ROUTE_CONCURRENCY);
            assertThat(db().queryLong("SELECT count(*) FROM iu_route_delivery WHERE status = 'pending'"))
                    .as("pending deliveries, held back by the closed gate").isPositive();

            receiver.behave(Behaviour.OK);
            data.openGates(false, "gate-hook");
            await().atMost(WAIT).until(() -> flow.delivered() == 400);
            flow.everyEventDeliveredAndNoAttemptRecordedTwice(400, receiver.received());
            assertThat(db().queryLong("SELECT count(*) FROM iu_route_dead_letter")).isZero();
        }
    }
}
