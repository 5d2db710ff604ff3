package dev.iucore.pipeline.delivery;

import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.RelayExtension;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Finished attempts wake the delivery claimer (deliveryClaimer.release, then header deliveryClaimNow), not only its poll. */
class DeliveryWakeTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    // both polling floors out of reach: one worker leases 2 deliveries at a time, so 12 are delivered
    // within the wait only if each finished batch of attempts wakes the claimer again
    @RegisterExtension
    static final RelayExtension RELAY = new RelayExtension(DB, "wake-test", () -> Map.of(
            Setting.RELAY_POLL_INTERVAL_MS, "600000", Setting.DELIVERY_POLL_INTERVAL_MS, "600000",
            Setting.DELIVERY_WORKERS, "1"));

    @Test
    void finishedAttemptsWakeTheClaimerWithoutWaitingForItsPoll() {
        RelayData data = RELAY.data();
        data.registerType("test.wake", "live").route("wake-log", "test.wake", "log:wake").openGates(false, "wake-log");

        data.events("test.wake", 12);

        await().atMost(Duration.ofSeconds(30)).until(() -> DB.db().queryLong(
                "SELECT count(*) FROM iu_route_delivery WHERE route_key = 'wake-log' AND status = 'delivered'") == 12);
    }
}
