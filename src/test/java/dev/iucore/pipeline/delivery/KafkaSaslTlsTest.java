package dev.iucore.pipeline.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.KafkaBroker;
import dev.iucore.pipeline.testing.LogCapture;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.RelayExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The relay against a real broker that takes only SASL over TLS on the listener the service uses:
 * SCRAM-SHA-512, SCRAM-SHA-256 and PLAIN, each a cluster of its own in the settings, the password by
 * reference ({@code IU_KAFKA_SECRET_TEST}, which the build sets, with quotes, a backslash and a space
 * in it), the broker's self-signed certificate trusted through a trust store whose password comes the
 * same way; the log, at DEBUG, never has the password. A wrong password and a cluster no one
 * configured are failed attempts that are retried; nothing is lost.
 */
class KafkaSaslTlsTest {

    /** The password the build puts into IU_KAFKA_SECRET_TEST: of the SCRAM and PLAIN users and the trust store. */
    private static final String SECRET = System.getenv("IU_KAFKA_SECRET_TEST");
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @RegisterExtension
    static final KafkaBroker KAFKA = KafkaBroker.withSaslOverTls(SECRET, Map.of("alice", SECRET));

    @RegisterExtension
    static final RelayExtension RELAY = new RelayExtension(DB, "kafka-sasl-tls",
            Map::of, KafkaSaslTlsTest::clusters);

    private final RelayData data = RELAY.data();

    /** Four clusters on the broker's SASL_SSL listener, told apart by their login. */
    private static Map<String, String> clusters() {
        Map<String, String> properties = new HashMap<>();
        cluster(properties, "scram512", "SCRAM-SHA-512", "relay512");
        cluster(properties, "scram256", "SCRAM-SHA-256", "relay256");
        cluster(properties, "plain", "PLAIN", "alice");
        cluster(properties, "wrongpw", "SCRAM-SHA-512", "bob");
        return properties;
    }

    private static void cluster(Map<String, String> properties, String name, String mechanism, String user) {
        String prefix = "iu.kafka.clusters." + name + ".";
        properties.put(prefix + "bootstrap-servers", KAFKA.secureBootstrapServers());
        properties.put(prefix + "security-protocol", "SASL_SSL");
        properties.put(prefix + "sasl-mechanism", mechanism);
        properties.put(prefix + "sasl-username", user);
        properties.put(prefix + "sasl-password-ref", "IU_KAFKA_SECRET_TEST");
        properties.put(prefix + "truststore-path", KAFKA.tls().truststore().toString());
        properties.put(prefix + "truststore-password-ref", "IU_KAFKA_SECRET_TEST");
    }

    @BeforeAll
    static void users() throws Exception {
        assertThat(SECRET).as("the build sets IU_KAFKA_SECRET_TEST for the tests").isNotBlank();
        KAFKA.createScramUser(ScramMechanism.SCRAM_SHA_512, "relay512", SECRET);
        KAFKA.createScramUser(ScramMechanism.SCRAM_SHA_256, "relay256", SECRET);
        KAFKA.createScramUser(ScramMechanism.SCRAM_SHA_512, "bob", "not-the-secret-" + UUID.randomUUID());
    }

    @Test
    void scramAndPlainOverTlsPublishEachRecordWithItsKeyAndHeaders() throws Exception {
        Map<String, String> routes = Map.of("scram512", "iu.test.scram512", "scram256", "iu.test.scram256",
                "plain", "iu.test.plain");
        data.registerType("test.kafka.secure", "live");
        for (Map.Entry<String, String> route : routes.entrySet()) {
            KAFKA.createTopic(route.getValue());
            data.route("secure-" + route.getKey(), "test.kafka.secure", "kafka:" + route.getValue(),
                    Map.of("kafka_cluster", route.getKey()));
        }
        data.openGates(false, "secure-scram512", "secure-scram256", "secure-plain");
        UUID event = UUID.randomUUID();
        DB.db().update("""
                INSERT INTO event_outbox (event_id, event_type, aggregate_type, aggregate_id, payload, headers)
                VALUES (?, 'test.kafka.secure', 'order', 'order-7', '{"order": 7}', ?::jsonb)""",
                event, "{\"traceparent\": \"" + TRACEPARENT + "\", \"X-Tenant\": \"acme\"}");

        String log;
        try (LogCapture capture = LogCapture.text("dev.iucore", "org.apache.camel", "org.apache.kafka")) {
            await().atMost(WAIT).until(() -> routes.keySet().stream()
                    .allMatch(cluster -> "delivered".equals(data.deliveryStatus(event, "secure-" + cluster))));
            log = capture.output();
        }
        // the log caught the producers logging in, at DEBUG: the password never
        assertThat(log).contains("clientId=iu-core-scram512").contains("clientId=iu-core-plain").doesNotContain(SECRET);
        for (Map.Entry<String, String> route : routes.entrySet()) {
            List<ConsumerRecord<String, String>> records = KAFKA.records(route.getValue(), 1, WAIT);
            assertThat(records).as(route.getKey()).singleElement().satisfies(record -> {
                assertThat(record.key()).isEqualTo("order-7");
                assertThat(record.value()).isEqualTo("{\"order\": 7}");
                assertThat(headers(record)).containsExactlyInAnyOrderEntriesOf(Map.of(
                        "webhook-id", "msg_" + event + "_secure-" + route.getKey(),
                        "traceparent", TRACEPARENT,
                        "iu-header-x-tenant", "acme"));
            });
        }
        assertThat(DB.db().query("""
                SELECT d.route_key FROM iu_route_attempt a JOIN iu_route_delivery d ON d.id = a.delivery_id
                 WHERE d.event_id = ? AND a.outcome = 'delivered'""", event))
                .extracting(row -> row.get("route_key"))
                .containsExactlyInAnyOrder("secure-scram512", "secure-scram256", "secure-plain");
    }

    @Test
    void aWrongPasswordIsAFailedAttemptThatIsRetriedAndTheDeliveryStaysOpen() throws Exception {
        KAFKA.createTopic("iu.test.wrongpw");
        data.registerType("test.kafka.wrongpw", "live")
                .route("secure-wrongpw", "test.kafka.wrongpw", "kafka:iu.test.wrongpw",
                        Map.of("kafka_cluster", "wrongpw", "max_attempts", 100, "circuit_failure_threshold", 100))
                .openGates(false, "secure-wrongpw");
        UUID event = data.event("test.kafka.wrongpw", "A", "{\"n\": 1}");

        await().atMost(WAIT).until(() -> data.attempts(event, "secure-wrongpw") >= 2);
        assertThat(DB.db().query("""
                SELECT DISTINCT a.outcome, a.error_class FROM iu_route_attempt a
                  JOIN iu_route_delivery d ON d.id = a.delivery_id WHERE d.event_id = ?""", event))
                .containsExactly(Map.of("outcome", "failed", "error_class", "SaslAuthenticationException"));
        assertThat(data.deliveryStatus(event, "secure-wrongpw")).isIn("retrying", "pending");
        assertThat(DB.db().queryLong("SELECT count(*) FROM iu_route_dead_letter WHERE event_id = ?", event)).isZero();
        assertThat(KAFKA.records("iu.test.wrongpw", 1, Duration.ofSeconds(2))).isEmpty();
        // the error says what was wrong, never the password
        assertThat(DB.db().queryValue("""
                SELECT string_agg(a.error_text, ' ') FROM iu_route_attempt a
                  JOIN iu_route_delivery d ON d.id = a.delivery_id WHERE d.event_id = ?""", event).toString())
                .contains("Kafka cluster wrongpw: Authentication failed").doesNotContain(SECRET);
    }

    @Test
    void aRouteNamingAClusterNoOneConfiguredIsRetriedThenDeadLetteredWithTheReasonAndTheEventIsKept() {
        data.registerType("test.kafka.nocluster", "live")
                .route("nowhere-cluster", "test.kafka.nocluster", "kafka:iu.test.nowhere",
                        Map.of("kafka_cluster", "nowhere", "max_attempts", 2))
                .openGates(false, "nowhere-cluster");
        UUID event = data.event("test.kafka.nocluster", "A", "{\"n\": 2}");

        await().atMost(WAIT).until(() -> "dead".equals(data.deliveryStatus(event, "nowhere-cluster")));
        String expected = "route nowhere-cluster: Kafka cluster \"nowhere\" is not configured here (configured:"
                + " default, plain, scram256, scram512, wrongpw): declare it with iu.kafka.clusters.nowhere.bootstrap-servers"
                + " and restart, or correct the route's kafka_cluster";
        assertThat(DB.db().query("""
                SELECT a.attempt_no, a.outcome, a.error_class, a.error_text FROM iu_route_attempt a
                  JOIN iu_route_delivery d ON d.id = a.delivery_id WHERE d.event_id = ? ORDER BY a.attempt_no""", event))
                .containsExactly(
                        Map.of("attempt_no", 1, "outcome", "failed", "error_class", "UnknownKafkaCluster", "error_text", expected),
                        Map.of("attempt_no", 2, "outcome", "failed", "error_class", "UnknownKafkaCluster", "error_text", expected));
        assertThat(DB.db().query("SELECT reason, last_error FROM iu_route_dead_letter WHERE event_id = ?", event))
                .containsExactly(Map.of("reason", "attempts_exhausted", "last_error", expected));
        assertThat(DB.db().queryValue("SELECT payload::text FROM event_outbox WHERE event_id = ?", event))
                .isEqualTo("{\"n\": 2}");
    }

    private static Map<String, String> headers(ConsumerRecord<String, String> record) {
        Map<String, String> headers = new HashMap<>();
        for (Header header : record.headers()) {
            headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
        }
        return headers;
    }
}
