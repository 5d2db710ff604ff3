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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code kafka:<topic>} routes against a real Kafka broker on 127.0.0.1. */
class KafkaDeliveryTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension
    static final RelayExtension RELAY = new RelayExtension(DB, "kafka-test",
            () -> Map.of(Setting.KAFKA_BROKERS, KAFKA.bootstrapServers()));

    private static final Duration WAIT = Duration.ofSeconds(60);

    private final RelayData data = RELAY.data();

    @Test
    void aKafkaRoutePublishesThePayloadKeyedByAggregateInOrderAndRecordsTheAttempt() throws Exception {
        KAFKA.createTopic("iu.test.orders");
        data.registerType("test.kafka.orders", "live")
                .route("orders-topic", "test.kafka.orders", "kafka:iu.test.orders", Map.of("ordered", true))
                .allRoutesLive(false);
        UUID first = data.event("test.kafka.orders", "A", "{\"agg\": \"A\", \"seq\": 1}");
        UUID other = data.event("test.kafka.orders", "B", "{\"agg\": \"B\", \"seq\": 1}");
        UUID second = data.event("test.kafka.orders", "A", "{\"agg\": \"A\", \"seq\": 2}");

        await().atMost(WAIT).until(() -> List.of(first, other, second).stream()
                .allMatch(e -> "delivered".equals(data.deliveryStatus(e, "orders-topic"))));
        List<ConsumerRecord<String, String>> records = KAFKA.records("iu.test.orders", 3, WAIT);
        assertThat(records).extracting(ConsumerRecord::key).containsExactlyInAnyOrder("A", "B", "A");
        assertThat(records.stream().filter(r -> r.key().equals("A")).map(ConsumerRecord::value))
                .containsExactly("{\"agg\": \"A\", \"seq\": 1}", "{\"agg\": \"A\", \"seq\": 2}");
        assertThat(records.stream().map(r -> new String(r.headers().lastHeader("webhook-id").value(), StandardCharsets.UTF_8)))
                .containsExactlyInAnyOrder("msg_" + first + "_orders-topic", "msg_" + other + "_orders-topic",
                        "msg_" + second + "_orders-topic");
        assertThat(DB.db().query("""
                SELECT a.attempt_no, a.outcome, a.node FROM iu_route_attempt a
                  JOIN iu_route_delivery d ON d.id = a.delivery_id WHERE d.route_key = 'orders-topic'"""))
                .hasSize(3)
                .allMatch(a -> a.equals(Map.of("attempt_no", 1, "outcome", "delivered", "node", "kafka-test")));
        assertThat(DB.db().queryLong("SELECT count(*) FROM iu_route_dead_letter WHERE route_key = 'orders-topic'")).isZero();
    }

    @Test
    void aTargetThatIsNotATopicNameIsDeadAtOnceAsAPermanentFailure() {
        data.registerType("test.kafka.badtopic", "live")
                .route("bad-topic", "test.kafka.badtopic", "kafka:orders/../../etc", Map.of("max_attempts", 5))
                .allRoutesLive(false);
        UUID event = data.event("test.kafka.badtopic", "A", "{}");

        await().atMost(WAIT).until(() -> "dead".equals(data.deliveryStatus(event, "bad-topic")));
        assertThat(data.attempts(event, "bad-topic")).isEqualTo(1);
        assertThat(DB.db().query("""
                SELECT reason, last_error FROM iu_route_dead_letter WHERE event_id = ? AND route_key = 'bad-topic'""", event))
                .singleElement()
                .satisfies(dead -> {
                    assertThat(dead.get("reason")).isEqualTo("permanent_failure");
                    assertThat((String) dead.get("last_error")).contains("is not a Kafka topic name");
                });
        assertThat(data.status(event)).isEqualTo("dispatched");
    }
}
