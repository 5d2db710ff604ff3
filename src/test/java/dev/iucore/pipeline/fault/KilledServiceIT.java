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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code kill -9} of the running service, several times in one flow, then a restart: nothing lost, nothing recorded twice. */
class KilledServiceIT {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final int EVENTS = 5000;
    private static final int IN_FLIGHT = 16;
    /** What one process may hold leased of the route: every try sent and not yet recorded is among them. */
    private static final int LEASED = 32;
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Map<Setting, String> FAST = Map.of(
            Setting.DELIVERY_WORKERS, Integer.toString(IN_FLIGHT),
            Setting.DELIVERY_ROUTE_CONCURRENCY, Integer.toString(IN_FLIGHT),
            Setting.DELIVERY_ROUTE_CONCURRENCY_MAX, Integer.toString(LEASED),
            Setting.DB_POOL_SIZE, "24",
            Setting.DELIVERY_LEASE_MS, "1000");

    @Test
    void aServiceKilledThreeTimesMidFlowDeliversEveryEventAndRepeatsOnlyTheTriesInFlightAtEachKill() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        TestDb db = DB.db();
        RelayData data = new RelayData(db);
        FlowChecks flow = new FlowChecks(db, "kill-hook");
        List<FlowChecks.Outage> deaths = new ArrayList<>();
        try (MisbehavingReceiver receiver = MisbehavingReceiver.start()) {
            // a few milliseconds per answer, so tries are in flight whenever the kill comes
            receiver.behave(Behaviour.SLOW, Duration.ofMillis(5));
            data.registerType("test.fault.kill", "live").route("kill-hook", "test.fault.kill", receiver.url("/kill"),
                    Map.of("max_attempts", 50, "connect_timeout_ms", 500, "read_timeout_ms", 1000));
            data.openGates(false, "kill-hook");
            // the producer keeps writing for some 15 s, while the services start and are killed: kills land
            // mid-dispatch as well as mid-delivery
            CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> {
                for (int batch = 0; batch < EVENTS / 100; batch++) {
                    data.events("test.fault.kill", 100);
                    sleep(300);
                }
            });
            try {
                int[] killAt = {100 + random.nextInt(1000), 1500 + random.nextInt(1300), 3100 + random.nextInt(1300)};
                for (int threshold : killAt) {
                    try (ServiceJar service = ServiceJar.start(db, "killed-" + deaths.size(), FAST)) {
                        await().atMost(WAIT).until(() -> flow.delivered() >= threshold);
                        sleep(random.nextInt(150));
                        Instant killed = Instant.now();
                        service.kill();
                        // a request the process sent just before it died may be read after it died: the
                        // outage ends once the receiver has read all the dead process's connections
                        await().atMost(WAIT).until(() -> receiver.openConnections() == 0);
                        deaths.add(new FlowChecks.Outage(killed, Instant.now()));
                    }
                }
                producer.join();
                try (ServiceJar survivor = ServiceJar.start(db, "survivor", FAST)) {
                    await().atMost(WAIT).until(() -> flow.delivered() == EVENTS);
                }
            } finally {
                producer.join();
            }
            List<Received> received = receiver.received();
            flow.everyEventDeliveredAndNoAttemptRecordedTwice(EVENTS, received);
            // the receiver always answered 200: one delivered attempt per delivery, whoever sent it
            assertThat(db.queryLong("SELECT count(*) FROM iu_route_attempt WHERE outcome = 'delivered'")).isEqualTo(EVENTS);
            assertThat(flow.attemptsByNode()).as("seed %d", seed).containsKey("survivor").hasSizeGreaterThan(1);
            // a try sent again was sent and not yet recorded at a kill (workers go on while the recorder
            // commits): at most what each killed process held leased of the route
            long repeats = FlowChecks.assertTriesRepeatedOnlyAcross(deaths, received, "seed " + seed);
            assertThat(repeats).as("seed %d: tries repeated", seed).isLessThanOrEqualTo((long) deaths.size() * LEASED);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
