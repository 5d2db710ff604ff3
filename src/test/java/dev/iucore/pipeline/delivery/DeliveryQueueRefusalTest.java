package dev.iucore.pipeline.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.LogCapture;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.RelayExtension;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A leased delivery the workers' queue refuses, after the batch or the claim that leased it
 * committed: its lease is handed back and it is delivered by the next claim, once, and the batch is
 * not taken for rolled back. Left counted, it would wait for its lease to run out (here ten minutes)
 * and hold its route's slot meanwhile.
 */
class DeliveryQueueRefusalTest {

    private static final int REFUSED = 3;

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @RegisterExtension
    static final RelayExtension RELAY = new RelayExtension(DB, "refusal-test", () -> Map.of(
            Setting.DELIVERY_LEASE_MS, "600000"));

    @Test
    void aLeasedDeliveryTheWorkersQueueRefusesIsHandedBackAndDeliveredByTheNextClaim() throws Exception {
        AtomicInteger refusals = new AtomicInteger();
        AdviceWith.adviceWith(RELAY.pipeline().camelContext(), "delivery-start", route -> route
                .weaveByToUri("seda:delivery-attempt*").before().process(exchange -> {
                    if (refusals.incrementAndGet() <= REFUSED) {
                        throw new IllegalStateException("Queue full");
                    }
                }));
        RelayData data = RELAY.data();
        data.registerType("test.refusal", "live").route("refusal-log", "test.refusal", "log:refusal")
                .openGates(false, "refusal-log");

        try (LogCapture log = LogCapture.text()) {
            data.events("test.refusal", 5);

            await().atMost(Duration.ofSeconds(30)).until(() -> DB.db().queryLong(
                    "SELECT count(*) FROM iu_route_delivery WHERE route_key = 'refusal-log' AND status = 'delivered'") == 5);
            assertThat(log.output().lines().filter(line -> line.contains("not handed to the workers (Queue full)")))
                    .hasSize(REFUSED);
            assertThat(log.output()).doesNotContain("rolled back");
        }
        assertThat(refusals.get()).isGreaterThan(REFUSED);
        assertThat(DB.db().queryLong("SELECT count(*) FROM iu_route_attempt a JOIN iu_route_delivery d ON d.id = a.delivery_id"
                + " WHERE d.route_key = 'refusal-log'")).as("one try each").isEqualTo(5);
        assertThat(DB.db().queryLong("SELECT count(*) FROM event_outbox WHERE event_type = 'test.refusal' AND status = 'dispatched'"))
                .isEqualTo(5);
        assertThat(RELAY.pipeline().camelContext().getRegistry().findSingleByType(MeterRegistry.class)
                .get("iu.deliveries.handed.back").tag("route", "refusal-log").counter().count()).isEqualTo(REFUSED);
    }
}
