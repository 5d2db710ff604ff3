package dev.iucore.pipeline.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.testing.Cli;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.KafkaBroker;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.RelayExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two routes of one event type, on two clusters: the default one ({@code iu.kafka.brokers}) and a
 * named one ({@code kafka_cluster}). Both brokers have the same topic; each gets only its route's records.
 */
class KafkaTwoClustersTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String TOPIC = "iu.test.fanout";

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @RegisterExtension
    static final KafkaBroker FIRST = new KafkaBroker();

    @RegisterExtension
    static final KafkaBroker SECOND = new KafkaBroker();

    @RegisterExtension
    static final RelayExtension RELAY = new RelayExtension(DB, "kafka-two-clusters",
            () -> Map.of(Setting.KAFKA_BROKERS, FIRST.bootstrapServers()),
            () -> Map.of("iu.kafka.clusters.second.bootstrap-servers", SECOND.bootstrapServers()));

    private final RelayData data = RELAY.data();

    @Test
    void twoRoutesPublishToTwoClustersAndEachClusterGetsOnlyItsRoutesRecords() throws Exception {
        FIRST.createTopic(TOPIC);
        SECOND.createTopic(TOPIC);
        data.registerType("test.kafka.fanout", "live")
                .route("fanout-first", "test.kafka.fanout", "kafka:" + TOPIC)
                .route("fanout-second", "test.kafka.fanout", "kafka:" + TOPIC, Map.of("kafka_cluster", "second"))
                .openGates(false, "fanout-first", "fanout-second");
        List<UUID> events = IntStream.range(0, 5)
                .mapToObj(i -> data.event("test.kafka.fanout", "agg-" + i, "{\"i\": " + i + "}")).toList();

        await().atMost(WAIT).until(() -> events.stream().allMatch(e ->
                "delivered".equals(data.deliveryStatus(e, "fanout-first"))
                        && "delivered".equals(data.deliveryStatus(e, "fanout-second"))));
        assertThat(webhookIds(FIRST.records(TOPIC, 5, WAIT)))
                .containsExactlyInAnyOrderElementsOf(events.stream().map(e -> "msg_" + e + "_fanout-first").toList());
        assertThat(webhookIds(SECOND.records(TOPIC, 5, WAIT)))
                .containsExactlyInAnyOrderElementsOf(events.stream().map(e -> "msg_" + e + "_fanout-second").toList());
        // nothing more arrives later on either side
        assertThat(FIRST.records(TOPIC, 6, Duration.ofSeconds(2))).hasSize(5);
        assertThat(SECOND.records(TOPIC, 6, Duration.ofSeconds(2))).hasSize(5);
        assertThat(DB.db().queryLong("""
                SELECT count(*) FROM iu_route_attempt a JOIN iu_route_delivery d ON d.id = a.delivery_id
                 WHERE d.route_key IN ('fanout-first', 'fanout-second') AND a.outcome = 'delivered'""")).isEqualTo(10);
        // an operator sees which route goes where
        Cli.Result list = Cli.run(DB.db().settings(), "routes", "list", "--event-type", "test.kafka.fanout");
        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.out().lines().filter(line -> line.contains("fanout-second")))
                .singleElement().asString().contains("kafka:" + TOPIC + " (cluster second)");
        assertThat(list.out().lines().filter(line -> line.contains("fanout-first")))
                .singleElement().asString().contains("kafka:" + TOPIC).doesNotContain("(cluster");
        assertThat(Cli.run(DB.db().settings(), "routes", "list", "--json", "--event-type", "test.kafka.fanout").out())
                .contains("\"kafka_cluster\" : \"second\"");
    }

    @Test
    void aClusterOnANonKafkaRouteIsRefusedWhenTheRouteIsWritten() {
        data.registerType("test.kafka.notkafka", "live");
        assertThatThrownBy(() -> data.route("log-with-cluster", "test.kafka.notkafka",
                        "log:somewhere", Map.of("kafka_cluster", "second")))
                .hasMessageContaining("iu_outbound_route_kafka_cluster_only_for_kafka");
        assertThatThrownBy(() -> data.route("bad-cluster-name", "test.kafka.notkafka",
                        "kafka:" + TOPIC, Map.of("kafka_cluster", "Second-DC")))
                .hasMessageContaining("iu_outbound_route_kafka_cluster_name");
    }

    private static List<String> webhookIds(List<ConsumerRecord<String, String>> records) {
        return records.stream()
                .map(r -> new String(r.headers().lastHeader("webhook-id").value(), StandardCharsets.UTF_8)).toList();
    }
}
