package dev.iucore.pipeline.delivery;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.HttpSink;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.RunningPipeline;
import dev.iucore.pipeline.testing.StallReport;
import dev.iucore.pipeline.testing.TestDb;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Several relays, crashes, lost connections: nothing lost, no attempt recorded twice. */
class RelayResilienceTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @RegisterExtension
    static final HttpSink SINK = new HttpSink();

    private static final Duration WAIT = Duration.ofSeconds(90);

    private RelayData data;

    /** Waits for the relays; on a timeout, prints what every thread, relay and session was doing (StallReport). */
    private static ConditionFactory awaitRelay(RunningPipeline... relays) {
        return await().atMost(WAIT).conditionEvaluationListener(StallReport.of(db(), relays));
    }

    private static TestDb db() {
        return DB.db();
    }

    @BeforeEach
    void cleanSlate() {
        db().update("TRUNCATE event_outbox, iu_route_delivery, iu_route_attempt, iu_route_dead_letter, iu_route_circuit CASCADE");
        db().update("DELETE FROM iu_outbound_route");
        SINK.server().resetRequests();
        data = new RelayData(db());
        data.closeGates();
    }

    private long delivered(String routeKey) {
        return db().queryLong("SELECT count(*) FROM iu_route_delivery WHERE route_key = ? AND status = 'delivered'", routeKey);
    }

    /** Every delivery of the route has exactly one attempt, and it delivered. */
    private void assertEachDeliveredByExactlyOneAttempt(String routeKey, int expected) {
        assertThat(delivered(routeKey)).isEqualTo(expected);
        assertThat(db().query("""
                SELECT count(*) AS attempts, count(DISTINCT a.delivery_id) AS deliveries,
                       count(*) FILTER (WHERE a.outcome = 'delivered') AS delivered
                  FROM iu_route_attempt a JOIN iu_route_delivery d ON d.id = a.delivery_id
                 WHERE d.route_key = ?""", routeKey)).containsExactly(Map.of(
                "attempts", (long) expected, "deliveries", (long) expected, "delivered", (long) expected));
    }

    @Test
    void twoRelaysOnOneDatabaseDeliverFiveThousandEventsEachExactlyOnce() {
        SINK.stub(post(urlEqualTo("/shared")).willReturn(aResponse().withStatus(200)));
        data.registerType("test.resilience.bulk", "live").route("shared-hook", "test.resilience.bulk", SINK.url("/shared"));
        data.openGates(false, "shared-hook");
        try (RunningPipeline a = RunningPipeline.start(db(), "relay-a", Map.of(Setting.DELIVERY_ROUTE_CONCURRENCY, "8"));
             RunningPipeline b = RunningPipeline.start(db(), "relay-b", Map.of(Setting.DELIVERY_ROUTE_CONCURRENCY, "8"))) {
            data.events("test.resilience.bulk", 5000);
            awaitRelay(a, b).until(() -> delivered("shared-hook") == 5000);
        }
        assertEachDeliveredByExactlyOneAttempt("shared-hook", 5000);
        assertThat(db().count("iu_route_delivery")).isEqualTo(5000);
        Map<String, Long> byNode = db().query("""
                SELECT node, count(*) AS n FROM iu_route_attempt GROUP BY node""").stream()
                .collect(Collectors.toMap(r -> (String) r.get("node"), r -> (Long) r.get("n")));
        assertThat(byNode).as("both relays worked").containsOnlyKeys("relay-a", "relay-b");
        List<String> ids = SINK.received("/shared").stream().map(r -> r.getHeader("webhook-id")).toList();
        assertThat(ids).hasSize(5000).doesNotHaveDuplicates();
    }

    @Test
    void aRelayStoppedMidRunLeavesItsWorkToAnotherAndNothingIsLost() {
        SINK.stub(post(urlEqualTo("/steady")).willReturn(aResponse().withStatus(200).withFixedDelay(100)));
        data.registerType("test.resilience.handover", "live").route("handover-hook", "test.resilience.handover", SINK.url("/steady"));
        data.openGates(false, "handover-hook");
        data.events("test.resilience.handover", 200);
        RunningPipeline first = RunningPipeline.start(db(), "relay-first");
        awaitRelay(first).until(() -> delivered("handover-hook") >= 40);
        first.close();
        long byFirst = delivered("handover-hook");
        assertThat(byFirst).as("stopped mid-run").isLessThan(200);
        // the graceful stop handed back what it had claimed and not finished: the second relay need not
        // wait out a 60 s lease
        assertThat(db().queryLong("""
                SELECT count(*) FROM iu_route_delivery WHERE locked_by = 'relay-first' OR locked_until IS NOT NULL""")).isZero();

        try (RunningPipeline second = RunningPipeline.start(db(), "relay-second")) {
            awaitRelay(second).until(() -> delivered("handover-hook") == 200);
        }
        assertEachDeliveredByExactlyOneAttempt("handover-hook", 200);
        assertThat(db().queryLong("SELECT count(*) FROM iu_route_attempt WHERE node = 'relay-second'")).isEqualTo(200 - byFirst);
    }

    @Test
    void expiredLeasesOfACrashedRelayAreReclaimedForDispatchAndDelivery() {
        data.registerType("test.resilience.crash", "live").route("crash-log", "test.resilience.crash", "log:crash",
                Map.of("connect_timeout_ms", 100, "read_timeout_ms", 100));
        data.openGates(false, "crash-log");
        // a relay that died holding a dispatch lease on one event and a delivery lease on another
        UUID claimedEvent = UUID.randomUUID();
        db().update("""
                INSERT INTO event_outbox (event_id, event_type, aggregate_type, aggregate_id, locked_by, locked_until)
                VALUES (?, 'test.resilience.crash', 'test', 'x-1', 'crashed-relay', now() + interval '2 seconds')""", claimedEvent);
        UUID dispatchedEvent = UUID.randomUUID();
        db().update("""
                INSERT INTO event_outbox (event_id, event_type, aggregate_type, aggregate_id, status, dispatched_at)
                VALUES (?, 'test.resilience.crash', 'test', 'x-2', 'dispatched', now())""", dispatchedEvent);
        db().update("""
                INSERT INTO iu_route_delivery (event_id, outbox_id, aggregate_id, route_kind, route_key, locked_by, locked_until)
                SELECT event_id, id, aggregate_id, 'outbound', 'crash-log', 'crashed-relay', now() + interval '2 seconds'
                  FROM event_outbox WHERE event_id = ?""", dispatchedEvent);

        try (RunningPipeline survivor = RunningPipeline.start(db(), "survivor",
                Map.of(Setting.DELIVERY_LEASE_MS, "1000"))) {
            awaitRelay(survivor).until(() -> "delivered".equals(data.deliveryStatus(claimedEvent, "crash-log"))
                    && "delivered".equals(data.deliveryStatus(dispatchedEvent, "crash-log")));
        }
        assertThat(db().query("""
                SELECT DISTINCT a.node FROM iu_route_attempt a JOIN iu_route_delivery d ON d.id = a.delivery_id"""))
                .containsExactly(Map.of("node", "survivor"));
        assertEachDeliveredByExactlyOneAttempt("crash-log", 2);
    }

    @Test
    void killedDatabaseConnectionsMidRunAreReplacedAndTheRelayFinishes() {
        data.registerType("test.resilience.kill", "live").route("kill-log", "test.resilience.kill", "log:kill",
                Map.of("connect_timeout_ms", 100, "read_timeout_ms", 100));
        data.openGates(false, "kill-log");
        data.events("test.resilience.kill", 2000);
        try (RunningPipeline relay = RunningPipeline.start(db(), "victim",
                Map.of(Setting.DELIVERY_LEASE_MS, "1000"))) {
            for (int round = 0; round < 3; round++) {
                long before = delivered("kill-log");
                awaitRelay(relay).until(() -> delivered("kill-log") > before);
                long killed = db().superuserQueryLong("""
                        SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                         WHERE datname = current_database() AND usename = 'iu_core_app' AND pid <> pg_backend_pid()""");
                assertThat(killed).as("round %d killed the relay's connections", round).isPositive();
            }
            awaitRelay(relay).until(() -> delivered("kill-log") == 2000);
        }
        assertEachDeliveredByExactlyOneAttempt("kill-log", 2000);
        assertThat(db().queryLong("SELECT count(*) FROM event_outbox WHERE status <> 'dispatched'")).isZero();
    }

    @Test
    void listenNotifyWakesTheDispatcherWithoutPollingAndSurvivesALostListener() {
        data.registerType("test.resilience.notify", "live").route("notify-log", "test.resilience.notify", "log:notify");
        data.openGates(false, "notify-log");
        // polling every ten minutes: only a notification can dispatch within the test
        try (RunningPipeline relay = RunningPipeline.start(db(), "listener",
                Map.of(Setting.RELAY_POLL_INTERVAL_MS, "600000"))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> db().superuserQueryLong(
                    "SELECT count(*) FROM pg_stat_activity WHERE query = 'LISTEN iu_core_outbox'") == 1);
            UUID first = data.event("test.resilience.notify", "n-1", "{}");
            await().atMost(Duration.ofSeconds(10)).until(() -> "dispatched".equals(data.status(first)));

            long killed = db().superuserQueryLong("""
                    SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query = 'LISTEN iu_core_outbox'""");
            assertThat(killed).isEqualTo(1);
            await().atMost(Duration.ofSeconds(15)).until(() -> db().superuserQueryLong(
                    "SELECT count(*) FROM pg_stat_activity WHERE query = 'LISTEN iu_core_outbox'") == 1);
            UUID second = data.event("test.resilience.notify", "n-2", "{}");
            await().atMost(Duration.ofSeconds(10)).until(() -> "dispatched".equals(data.status(second)));
            await().atMost(Duration.ofSeconds(10)).until(() -> "delivered".equals(data.deliveryStatus(second, "notify-log")));
        }
    }
}
