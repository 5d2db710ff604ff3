package dev.iucore.pipeline.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.RelayExtension;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Finished attempts wake the delivery claimer (deliveryClaimer.release, then header deliveryClaimNow), not
 * only its poll; a dispatch drain wakes it only for deliveries its batches left to it (relay-drain.yaml).
 */
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

    @Test
    void aDrainWhoseBatchesLeasedAllTheyCreatedRunsNoClaim() {
        RelayData data = RELAY.data();
        data.registerType("test.wake.trickle", "live").route("wake-trickle", "test.wake.trickle", "log:trickle")
                .openGates(false, "wake-trickle");
        // the claim poll's one run, a second after the start, behind us (nothing due: it asked for no
        // claim); none after it within the test
        await().atMost(Duration.ofSeconds(30)).until(() -> runs("delivery-poll") >= 1);
        double before = claims();

        for (int i = 0; i < 3; i++) {
            data.events("test.wake.trickle", 1);
            int delivered = i + 1;
            await().atMost(Duration.ofSeconds(30)).until(() -> DB.db().queryLong(
                    "SELECT count(*) FROM iu_route_delivery WHERE route_key = 'wake-trickle' AND status = 'delivered'") == delivered);
        }

        assertThat(claims()).as("each event leased by its dispatch batch, none claimed").isEqualTo(before);
        assertThat(DB.db().queryLong("SELECT count(*) FROM event_outbox WHERE event_type = 'test.wake.trickle' AND status = 'dispatched'"))
                .isEqualTo(3);
    }

    /** Runs of the delivery-claim route so far. */
    private static double claims() {
        return runs("delivery-claim");
    }

    /** Runs of the route so far (Camel's per-route exchange counter). */
    private static double runs(String routeId) {
        return RELAY.pipeline().camelContext().getRegistry().findSingleByType(MeterRegistry.class)
                .get("camel.exchanges.total").tag("routeId", routeId).counter().count();
    }
}
