package dev.iucore.pipeline.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.RunningPipeline;
import dev.iucore.pipeline.testing.TestDb;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * When the dispatcher runs its next pass (outbox-dispatch.yaml) without a notification: after a pass
 * that found events, one gathering pause later; after a pass that found none, not before the poll
 * floor. Polling is every ten minutes here, so within the test only a notification or a pass that
 * asked for the next one dispatches anything.
 */
class DispatchPassesTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final String TYPE = "test.passes";

    private static TestDb db() {
        return DB.db();
    }

    @Test
    void anEventCommittedWithoutANotificationAfterAPassThatFoundEventsIsTakenByTheNextPassAndThePassesThenStop()
            throws Exception {
        RelayData data = new RelayData(db()).registerType(TYPE, "live").route("passes-log", TYPE, "log:passes");
        data.openGates(false, "passes-log");
        try (RunningPipeline relay = RunningPipeline.start(db(), "passes",
                Map.of(Setting.RELAY_POLL_INTERVAL_MS, "600000", Setting.RELAY_GATHER_MS, "1000"))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> db().superuserQueryLong(OutboxWakeupTest.LISTENING) == 1);
            UUID notified = data.event(TYPE, "p-1", "{}");
            await().atMost(Duration.ofSeconds(10)).until(() -> "dispatched".equals(data.status(notified)));

            // committed during the pass's gathering pause, while another commit's notification is in
            // flight (the trigger's try lock held, V093): it sends none of its own
            UUID skipped = withNotificationInFlight(() -> data.event(TYPE, "p-2", "{}"));
            await().atMost(Duration.ofSeconds(10)).until(() -> "dispatched".equals(data.status(skipped)));

            // that pass found one event, the one after it (a gathering pause later) none: the passes
            // have stopped, and an event without a notification waits for the poll floor
            Thread.sleep(4_000);
            UUID unannounced = withNotificationInFlight(() -> data.event(TYPE, "p-3", "{}"));
            Thread.sleep(2_500);
            assertThat(data.status(unannounced)).as("no pass without a notification once one found nothing")
                    .isEqualTo("pending");
            UUID next = data.event(TYPE, "p-4", "{}");
            await().atMost(Duration.ofSeconds(10)).until(() -> "dispatched".equals(data.status(next)));
            assertThat(data.status(unannounced)).as("the next notification's pass takes it too").isEqualTo("dispatched");
        }
    }

    /** Runs the insert while a session holds the insert trigger's notification lock (V093). */
    private static UUID withNotificationInFlight(Supplier<UUID> insert) throws SQLException {
        try (Connection other = db().owner().getConnection();
             PreparedStatement lock = other.prepareStatement("SELECT pg_advisory_lock(?)")) {
            lock.setLong(1, OutboxNotifyTest.NOTIFYING);
            lock.execute();
            return insert.get();
        }
    }
}
