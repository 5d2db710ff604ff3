package dev.iucore.pipeline.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.RunningPipeline;
import dev.iucore.pipeline.testing.TestDb;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A kafka route whose brokers cannot be reached: the try times out, is recorded and retried; nothing is lost. */
class KafkaUnreachableTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @Test
    void anUnreachableBrokerIsATimedOutAttemptThatIsRetriedAndTheEventStays() {
        int closedPort = TestDb.freePort();
        RelayData data = new RelayData(DB.db());
        data.registerType("test.kafka.unreachable", "live")
                .route("nowhere-topic", "test.kafka.unreachable", "kafka:iu.test.nowhere",
                        Map.of("max_attempts", 2, "circuit_failure_threshold", 10))
                .allRoutesLive(false);
        UUID event = data.event("test.kafka.unreachable", "A", "{\"n\": 1}");

        try (RunningPipeline relay = RunningPipeline.start(DB.db(), "kafka-unreachable",
                // a short delivery timeout: each try waits for the missing broker as long as that allows
                Map.of(Setting.KAFKA_BROKERS, "127.0.0.1:" + closedPort, Setting.KAFKA_DELIVERY_TIMEOUT_MS, "2000"))) {
            await().atMost(Duration.ofSeconds(90)).until(() -> "dead".equals(data.deliveryStatus(event, "nowhere-topic")));
        }
        assertThat(DB.db().query("""
                SELECT a.attempt_no, a.outcome, a.error_class FROM iu_route_attempt a
                  JOIN iu_route_delivery d ON d.id = a.delivery_id WHERE d.event_id = ? ORDER BY a.attempt_no""", event))
                .containsExactly(
                        Map.of("attempt_no", 1, "outcome", "timeout", "error_class", "TimeoutException"),
                        Map.of("attempt_no", 2, "outcome", "timeout", "error_class", "TimeoutException"));
        assertThat(DB.db().queryValue("SELECT reason FROM iu_route_dead_letter WHERE event_id = ?", event))
                .isEqualTo("attempts_exhausted");
        assertThat(DB.db().queryValue("SELECT payload::text FROM event_outbox WHERE event_id = ?", event))
                .isEqualTo("{\"n\": 1}");
    }
}
