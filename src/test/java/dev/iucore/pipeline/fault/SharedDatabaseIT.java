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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two, then three packaged services on one database: the work is shared, and no attempt is made or recorded twice. */
class SharedDatabaseIT {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final int EVENTS = 2000;
    private static final Duration WAIT = Duration.ofSeconds(90);
    /** The route takes more tries at once than one process's workers can: each service is needed. */
    private static final Map<Setting, String> SHARED = Map.of(
            Setting.DELIVERY_WORKERS, "8",
            Setting.DELIVERY_ROUTE_CONCURRENCY, "32",
            Setting.DELIVERY_ROUTE_CONCURRENCY_MAX, "32",
            Setting.RELAY_BATCH_SIZE, "100");

    @Test
    void twoThenThreeServicesShareTheFlowWithNoAttemptMadeOrRecordedTwice() {
        TestDb db = DB.db();
        RelayData data = new RelayData(db);
        FlowChecks flow = new FlowChecks(db, "shared-hook");
        try (MisbehavingReceiver receiver = MisbehavingReceiver.start().behave(Behaviour.SLOW, Duration.ofMillis(5));
             ServiceJar a = ServiceJar.start(db, "shared-a", SHARED);
             ServiceJar b = ServiceJar.start(db, "shared-b", SHARED)) {
            data.registerType("test.fault.shared", "live").route("shared-hook", "test.fault.shared", receiver.url("/shared"));
            data.openGates(false, "shared-hook");
            data.events("test.fault.shared", EVENTS);
            await().atMost(WAIT).until(() -> flow.delivered() == EVENTS);
            assertThat(flow.attemptsByNode()).as("two services shared the work").containsOnlyKeys("shared-a", "shared-b");

            try (ServiceJar c = ServiceJar.start(db, "shared-c", SHARED)) {
                long firstRound = flow.lastAttemptId();
                data.events("test.fault.shared", EVENTS);
                await().atMost(WAIT).until(() -> flow.delivered() == 2 * EVENTS);
                assertThat(flow.attemptsByNodeAfter(firstRound)).as("three services shared the work")
                        .containsOnlyKeys("shared-a", "shared-b", "shared-c");
            }
            List<Received> received = receiver.received();
            flow.everyEventDeliveredAndNoAttemptRecordedTwice(2 * EVENTS, received);
            assertThat(received).extracting(r -> r.webhookId() + "#" + r.attempt()).as("no try sent twice").doesNotHaveDuplicates();
        }
    }
}
