package dev.iucore.pipeline.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.KafkaBroker;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.RelayExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The broker goes away while the relay runs and comes back: the tries meanwhile are recorded as
 * failed or timed out and retried with the route's backoff (its circuit opening and probing), and
 * once the broker is back every event arrives; no delivery is dead, none is lost.
 */
class KafkaBrokerOutageTest {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String TOPIC = "iu.test.outage";
    private static final String ROUTE = "outage-topic";

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension
    static final RelayExtension RELAY = new RelayExtension(DB, "kafka-outage",
            () -> Map.of(Setting.KAFKA_BROKERS, KAFKA.bootstrapServers(), Setting.KAFKA_DELIVERY_TIMEOUT_MS, "3000"));

    private final RelayData data = RELAY.data();

    @Test
    void aBrokerThatGoesAwayMidRunGetsEveryEventOnceItIsBackAndNothingIsLost() throws Exception {
        KAFKA.createTopic(TOPIC);
        data.registerType("test.kafka.outage", "live")
                .route(ROUTE, "test.kafka.outage", "kafka:" + TOPIC, Map.of("max_attempts", 100,
                        "backoff_initial_ms", 100, "backoff_max_ms", 1000, "circuit_failure_threshold", 5,
                        "circuit_open_ms", 1000))
                .openGates(false, ROUTE);
        List<UUID> before = events(0, 10);
        await().atMost(WAIT).until(() -> delivered(before));

        KAFKA.stop();
        List<UUID> during = events(10, 10);
        // the tries while it is away: recorded, none delivered, every delivery still open
        await().atMost(WAIT).until(() -> failedAttempts(during) >= 3);
        assertThat(DB.db().query("""
                SELECT DISTINCT d.status FROM iu_route_delivery d WHERE d.route_key = ? AND d.event_id = ANY (?)""",
                ROUTE, during.toArray(UUID[]::new)))
                .allMatch(row -> Set.of("pending", "retrying").contains(row.get("status")));
        assertThat(DB.db().queryLong("""
                SELECT count(*) FROM iu_route_attempt a JOIN iu_route_delivery d ON d.id = a.delivery_id
                 WHERE d.route_key = ? AND a.outcome NOT IN ('delivered', 'failed', 'timeout')""", ROUTE)).isZero();

        KAFKA.start();
        List<UUID> after = events(20, 5);
        List<UUID> all = new ArrayList<>(before);
        all.addAll(during);
        all.addAll(after);
        await().atMost(WAIT).until(() -> delivered(all));

        Set<String> arrived = KAFKA.records(TOPIC, all.size(), WAIT).stream()
                .map(r -> new String(r.headers().lastHeader("webhook-id").value(), StandardCharsets.UTF_8))
                .collect(Collectors.toSet());
        assertThat(arrived).containsExactlyInAnyOrderElementsOf(all.stream().map(e -> "msg_" + e + "_" + ROUTE).toList());
        assertThat(DB.db().queryLong("SELECT count(*) FROM iu_route_delivery WHERE route_key = ? AND status <> 'delivered'",
                ROUTE)).isZero();
        assertThat(DB.db().queryLong("SELECT count(*) FROM iu_route_dead_letter WHERE route_key = ?", ROUTE)).isZero();
        // each delivery ended with exactly one delivered attempt, the retried ones after their failures
        assertThat(DB.db().queryLong("""
                SELECT count(*) FROM iu_route_attempt a JOIN iu_route_delivery d ON d.id = a.delivery_id
                 WHERE d.route_key = ? AND a.outcome = 'delivered'""", ROUTE)).isEqualTo(all.size());
        assertThat(failedAttempts(during)).isGreaterThanOrEqualTo(3);
        assertThat(DB.db().queryLong("""
                SELECT count(*) FROM iu_route_delivery d WHERE d.route_key = ? AND d.attempts > 1""", ROUTE))
                .isGreaterThanOrEqualTo(1);
    }

    private List<UUID> events(int from, int n) {
        List<UUID> events = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            events.add(data.event("test.kafka.outage", "agg-" + (i % 4), "{\"i\": " + i + "}"));
        }
        return events;
    }

    private boolean delivered(List<UUID> events) {
        return events.stream().allMatch(e -> "delivered".equals(data.deliveryStatus(e, ROUTE)));
    }

    private long failedAttempts(List<UUID> events) {
        return DB.db().queryLong("""
                SELECT count(*) FROM iu_route_attempt a JOIN iu_route_delivery d ON d.id = a.delivery_id
                 WHERE d.route_key = ? AND d.event_id = ANY (?) AND a.outcome IN ('failed', 'timeout')""",
                ROUTE, events.toArray(UUID[]::new));
    }
}
