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
import dev.iucore.pipeline.testing.TestPostgres;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** PostgreSQL restarted under the packaged service mid-flow: the listener, the pool and the leases recover. */
class DatabaseRestartIT {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final int EVENTS = 1000;
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String LISTENING = "SELECT count(*) FROM pg_stat_activity WHERE query = 'LISTEN iu_core_outbox'";

    @Test
    void aDatabaseRestartMidFlowLosesNothingAndTheListenerThePoolAndTheLeasesRecover() throws InterruptedException {
        TestDb db = DB.db();
        RelayData data = new RelayData(db);
        FlowChecks flow = new FlowChecks(db, "restart-hook");
        try (MisbehavingReceiver receiver = MisbehavingReceiver.start().behave(Behaviour.SLOW, Duration.ofMillis(5));
             // no polling within the test: only a notification dispatches, so dispatch after the restart proves the listener
             ServiceJar service = ServiceJar.start(db, "restarted", Map.of(Setting.RELAY_POLL_INTERVAL_MS, "600000",
                     Setting.DELIVERY_LEASE_MS, "1000"))) {
            data.registerType("test.fault.restart", "live").route("restart-hook", "test.fault.restart", receiver.url("/restart"),
                    Map.of("max_attempts", 50, "connect_timeout_ms", 500, "read_timeout_ms", 1000));
            data.openGates(false, "restart-hook");
            await().atMost(WAIT).until(() -> db.superuserQueryLong(LISTENING) == 1);
            data.events("test.fault.restart", EVENTS);
            await().atMost(WAIT).until(() -> flow.delivered() >= EVENTS / 4);

            Instant stopping = Instant.now();
            // down long enough that the pool's and the listener's reconnects fail for a while
            TestPostgres.restart(Duration.ofSeconds(3));
            Instant restarted = Instant.now();

            await().atMost(WAIT).until(() -> db.superuserQueryLong(LISTENING) == 1);
            data.events("test.fault.restart", EVENTS);
            await().atMost(WAIT).until(() -> flow.delivered() == 2 * EVENTS);
            assertThat(service.alive()).isTrue();

            List<Received> received = receiver.received();
            flow.everyEventDeliveredAndNoAttemptRecordedTwice(2 * EVENTS, received);
            assertThat(db.queryLong("SELECT count(*) FROM iu_route_dead_letter")).isZero();
            // a try sent again was in flight across the restart: its first send before the database came
            // back, the repeat after it went down
            FlowChecks.assertTriesRepeatedOnlyAcross(List.of(new FlowChecks.Outage(stopping, restarted)), received,
                    "database restart");
        }
    }
}
