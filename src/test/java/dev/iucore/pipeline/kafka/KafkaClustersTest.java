package dev.iucore.pipeline.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.iucore.pipeline.config.ConfigurationException;
import dev.iucore.pipeline.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.security.JaasContext;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clusters as the settings declare them, from a file or the environment; what a producer of
 * each is configured with; and every setting that cannot work stopping the start with its key.
 */
class KafkaClustersTest {

    private static final String PASSWORD = "pa\"ss\\ word;=x";
    private static final Map<String, String> SECRETS = Map.of(
            "IU_KAFKA_SECRET_EAST", PASSWORD,
            "IU_KAFKA_SECRET_TRUST", "changeit",
            "IU_KAFKA_SECRET_EMPTY", "",
            "IU_DB_PASSWORD", "db-password");

    @TempDir
    Path dir;

    @Test
    void namedClustersComeFromPropertiesAndTheEnvironmentAndTheDefaultOneFromKafkaBrokers() throws Exception {
        Path truststore = Files.writeString(dir.resolve("trust.p12"), "not read here");
        Map<String, String> env = new HashMap<>(SECRETS);
        env.putAll(Map.of(
                "IU_KAFKA_BROKERS", "k0:9092",
                "IU_KAFKA_CLUSTERS_EU_WEST_BOOTSTRAP_SERVERS", "k1:9093,k2:9093",
                "IU_KAFKA_CLUSTERS_EU_WEST_SECURITY_PROTOCOL", "sasl_ssl",
                "IU_KAFKA_CLUSTERS_EU_WEST_SASL_MECHANISM", "SCRAM-SHA-512",
                "IU_KAFKA_CLUSTERS_EU_WEST_SASL_USERNAME", "relay",
                "IU_KAFKA_CLUSTERS_EU_WEST_SASL_PASSWORD_REF", "IU_KAFKA_SECRET_EAST",
                "IU_KAFKA_CLUSTERS_EU_WEST_TRUSTSTORE_PATH", truststore.toString(),
                "IU_KAFKA_CLUSTERS_EU_WEST_TRUSTSTORE_PASSWORD_REF", "IU_KAFKA_SECRET_TRUST"));
        Properties system = new Properties();
        system.setProperty("iu.kafka.clusters.east.bootstrap-servers", "k3:9092");
        system.setProperty("iu.kafka.clusters.default.security-protocol", "SSL");

        KafkaClusters clusters = KafkaClusters.from(Settings.load(env, system), env::get);

        assertThat(clusters.names()).containsExactly("default", "east", "eu_west");
        assertThat(clusters.get("default")).isEqualTo(new KafkaCluster("default", "k0:9092", "SSL", null, null, null,
                null, "PKCS12", null));
        assertThat(clusters.get("east")).isEqualTo(new KafkaCluster("east", "k3:9092", "PLAINTEXT", null, null, null,
                null, "PKCS12", null));
        assertThat(clusters.get("eu_west")).isEqualTo(new KafkaCluster("eu_west", "k1:9093,k2:9093", "SASL_SSL",
                "SCRAM-SHA-512", "relay", "IU_KAFKA_SECRET_EAST", truststore.toString(), "PKCS12", "IU_KAFKA_SECRET_TRUST"));
    }

    @Test
    void everyProducerIsIdempotentWithAcksAllAndAtMostFiveInFlightAndTheSecretsComeFromTheirVariables() {
        KafkaCluster cluster = new KafkaCluster("east", "k1:9093", "SASL_SSL", "SCRAM-SHA-256", "relay",
                "IU_KAFKA_SECRET_EAST", "/etc/iu-core/kafka-trust.p12", "PKCS12", "IU_KAFKA_SECRET_TRUST");

        Map<String, Object> config = ProducerConfigs.of(cluster, 20000, SECRETS::get);
        // the client's own parse: idempotence with these settings is accepted, not silently turned off
        ProducerConfig parsed = new ProducerConfig(config);

        assertThat(parsed.getBoolean(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG)).isTrue();
        assertThat(parsed.getString(ProducerConfig.ACKS_CONFIG)).isEqualTo("-1");
        assertThat(parsed.getInt(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION)).isEqualTo(5);
        assertThat(parsed.getInt(ProducerConfig.RETRIES_CONFIG)).isEqualTo(Integer.MAX_VALUE);
        assertThat(parsed.getInt(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG)).isEqualTo(20000);
        assertThat(parsed.getInt(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG)).isEqualTo(10000);
        assertThat(parsed.getLong(ProducerConfig.MAX_BLOCK_MS_CONFIG)).isEqualTo(10000);
        assertThat(parsed.getString("security.protocol")).isEqualTo("SASL_SSL");
        assertThat(parsed.getString("sasl.mechanism")).isEqualTo("SCRAM-SHA-256");
        assertThat(parsed.getString("ssl.truststore.location")).isEqualTo("/etc/iu-core/kafka-trust.p12");
        assertThat(parsed.getPassword("ssl.truststore.password").value()).isEqualTo("changeit");
        // a password is a Password: the client logs it as [hidden]
        assertThat(parsed.getPassword(SaslConfigs.SASL_JAAS_CONFIG).toString()).isEqualTo(Password.HIDDEN);
        AppConfigurationEntry login = JaasContext.loadClientContext(parsed.values()).configurationEntries().get(0);
        assertThat(login.getLoginModuleName()).isEqualTo("org.apache.kafka.common.security.scram.ScramLoginModule");
        assertThat(login.getOptions().get("username")).isEqualTo("relay");
        assertThat(login.getOptions().get("password")).isEqualTo(PASSWORD);
    }

    @Test
    void plainLogsInWithThePlainModule() {
        assertThat(ProducerConfigs.jaas("PLAIN", "alice", "pw")).isEqualTo(
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"alice\" password=\"pw\";");
    }

    @Test
    void aSecretReferenceMustNameASetPrefixedVariableAndEveryRefusalReadsTheSame() {
        for (String ref : List.of("IU_DB_PASSWORD", "IU_KAFKA_SECRET_UNSET", "IU_KAFKA_SECRET_EMPTY", "IU_KAFKA_SECRET_")) {
            assertThatThrownBy(() -> clusters(Map.of(
                    "iu.kafka.clusters.east.bootstrap-servers", "k1:9093",
                    "iu.kafka.clusters.east.security-protocol", "SASL_SSL",
                    "iu.kafka.clusters.east.sasl-mechanism", "PLAIN",
                    "iu.kafka.clusters.east.sasl-username", "relay",
                    "iu.kafka.clusters.east.sasl-password-ref", ref)))
                    .as(ref)
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessage("iu.kafka.clusters.east.sasl-password-ref: no usable secret in " + ref + " (it must name"
                            + " a set, non-empty environment variable IU_KAFKA_SECRET_… holding the secret itself)")
                    .message().doesNotContain("db-password");
        }
    }

    @Test
    void aSettingThatCannotWorkStopsTheStartNamingItsKey() {
        Map<Map<String, String>, String> cases = Map.of(
                Map.of("iu.kafka.clusters.east.bootstrap-servers", "k1:9093",
                        "iu.kafka.clusters.east.security-protocol", "TLS"),
                "iu.kafka.clusters.east.security-protocol must be one of PLAINTEXT, SASL_PLAINTEXT, SASL_SSL, SSL, not \"TLS\"",
                Map.of("iu.kafka.clusters.east.bootstrap-servers", "k1:9093",
                        "iu.kafka.clusters.east.security-protocol", "SASL_SSL",
                        "iu.kafka.clusters.east.sasl-mechanism", "GSSAPI"),
                "iu.kafka.clusters.east.sasl-mechanism must be one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, not \"GSSAPI\"",
                Map.of("iu.kafka.clusters.east.bootstrap-servers", "k1:9093",
                        "iu.kafka.clusters.east.security-protocol", "SASL_SSL",
                        "iu.kafka.clusters.east.sasl-mechanism", "SCRAM-SHA-512"),
                "iu.kafka.clusters.east.sasl-username must be set: cluster east uses SASL_SSL",
                Map.of("iu.kafka.clusters.east.sasl-username", "relay"),
                "iu.kafka.clusters.east.* is set but iu.kafka.clusters.east.bootstrap-servers is not: declare the"
                        + " cluster's bootstrap servers (host:port,…) or remove its other keys",
                Map.of("iu.kafka.clusters.east.bootstrap-servers", "k1:9093",
                        "iu.kafka.clusters.east.sasl-username", "relay"),
                "iu.kafka.clusters.east.sasl-username is set but cluster east uses a security protocol without it:"
                        + " set iu.kafka.clusters.east.security-protocol to SASL_PLAINTEXT or SASL_SSL, or remove the key",
                Map.of("iu.kafka.clusters.default.bootstrap-servers", "k1:9093"),
                "iu.kafka.clusters.default.bootstrap-servers is set: the default cluster's bootstrap servers are"
                        + " iu.kafka.brokers (env IU_KAFKA_BROKERS); set them there only",
                Map.of("iu.kafka.clusters.East-1.bootstrap-servers", "k1:9093"),
                "iu.kafka.clusters.East-1.*: \"East-1\" is no cluster name: lower case letters, digits and _, starting"
                        + " with a letter (it is part of environment variable names and of iu_outbound_route.kafka_cluster)",
                Map.of("iu.kafka.clusters.east.bootstrap-servers", "k1:9093",
                        "iu.kafka.clusters.east.sasl-password", "written-where-only-a-reference-may-be"),
                "iu.kafka.clusters.east.sasl-password is no setting of a Kafka cluster: its keys are"
                        + " <name>.bootstrap-servers, <name>.security-protocol, <name>.sasl-mechanism, <name>.sasl-username,"
                        + " <name>.sasl-password-ref, <name>.truststore-path, <name>.truststore-type,"
                        + " <name>.truststore-password-ref; a password comes only by reference (an IU_KAFKA_SECRET_…"
                        + " variable named by a *-password-ref)",
                Map.of("iu.kafka.clusters.east.bootstrap-servers", "k1:9093",
                        "iu.kafka.clusters.east.security-protocol", "SSL",
                        "iu.kafka.clusters.east.truststore-path", "/no/such/trust.p12"),
                "iu.kafka.clusters.east.truststore-path: cannot read the trust store /no/such/trust.p12 (a file"
                        + " readable by the service)");
        cases.forEach((properties, message) -> assertThatThrownBy(() -> clusters(properties))
                .as(message).isInstanceOf(ConfigurationException.class).hasMessage(message));
    }

    @Test
    void aDeliveryTimeoutUnderASecondIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> new KafkaProducers(clusters(Map.of()), 500, SECRETS::get))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("iu.kafka.delivery-timeout-ms (env IU_KAFKA_DELIVERY_TIMEOUT_MS) must be at least 1000, not 500");
    }

    @Test
    void aClusterNoOneConfiguredIsTheErrorADeliveryToItRecords() {
        KafkaClusters clusters = clusters(Map.of("iu.kafka.clusters.west.bootstrap-servers", "k1:9093"));
        assertThatThrownBy(() -> clusters.get("east"))
                .isInstanceOf(UnknownKafkaClusterException.class)
                .hasMessage("Kafka cluster \"east\" is not configured here (configured: default, west): declare it with"
                        + " iu.kafka.clusters.east.bootstrap-servers and restart, or correct the route's kafka_cluster");
    }

    @Test
    void camelSeesTheClustersButNoPasswordAndNoTemplateKey() {
        Properties system = new Properties();
        system.setProperty("iu.kafka.clusters.east.bootstrap-servers", "k1:9093");
        system.setProperty("iu.kafka.clusters.east.sasl-password-ref", "IU_KAFKA_SECRET_EAST");
        Map<String, String> camel = Settings.load(SECRETS, system).camelProperties();
        assertThat(camel).containsEntry("iu.kafka.clusters.east.sasl-password-ref", "IU_KAFKA_SECRET_EAST")
                .doesNotContainValue(PASSWORD);
        assertThat(camel.keySet()).noneMatch(key -> key.contains("<name>"));
    }

    private static KafkaClusters clusters(Map<String, String> properties) {
        Properties system = new Properties();
        system.putAll(properties);
        return KafkaClusters.from(Settings.load(Map.of(), system), SECRETS::get);
    }
}
