package dev.iucore.pipeline.testing;

import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Features;
import org.apache.kafka.server.common.MetadataVersion;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one) in this JVM on
 * 127.0.0.1, per test class, with its log in a temporary directory; and a consumer that reads
 * what a topic received. Plaintext by default; {@link #withSaslOverTls} adds a second listener
 * that takes only SASL (SCRAM-SHA-256, SCRAM-SHA-512, PLAIN) over TLS, with a self-signed
 * certificate for 127.0.0.1, while the test's own admin and consumer use the plaintext one. It can
 * be stopped and started again on the same ports and log, as a broker that goes away and comes back.
 */
public final class KafkaBroker implements BeforeAllCallback, AfterAllCallback {

    private final String truststorePassword;
    private final Map<String, String> plainUsers;
    private Path dir;
    private int port;
    private int securePort;
    private TlsFiles tls;
    private KafkaConfig config;
    private KafkaRaftServer server;

    /** A plaintext broker. */
    public KafkaBroker() {
        this(null, Map.of());
    }

    private KafkaBroker(String truststorePassword, Map<String, String> plainUsers) {
        this.truststorePassword = truststorePassword;
        this.plainUsers = plainUsers;
    }

    /**
     * A broker whose second listener ({@link #secureBootstrapServers()}) takes SASL over TLS only.
     *
     * @param truststorePassword the password of the trust store made for its clients ({@link #tls()})
     * @param plainUsers         the users of mechanism PLAIN and their passwords (SCRAM users: {@link #createScramUser})
     */
    public static KafkaBroker withSaslOverTls(String truststorePassword, Map<String, String> plainUsers) {
        return new KafkaBroker(truststorePassword, plainUsers);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        // the broker logs every config and partition move at INFO; its warnings are what a failing test needs
        ((Logger) LoggerFactory.getLogger("kafka")).setLevel(Level.WARN);
        dir = Files.createTempDirectory("iu-kafka");
        Path logDir = dir.resolve("log");
        port = TestDb.freePort();
        int controllerPort = TestDb.freePort();
        Properties props = new Properties();
        props.putAll(Map.ofEntries(
                Map.entry("process.roles", "broker,controller"),
                Map.entry("node.id", "1"),
                Map.entry("controller.quorum.voters", "1@127.0.0.1:" + controllerPort),
                Map.entry("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort),
                Map.entry("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port),
                Map.entry("controller.listener.names", "CONTROLLER"),
                Map.entry("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
                Map.entry("inter.broker.listener.name", "PLAINTEXT"),
                Map.entry("log.dirs", logDir.toString()),
                // topics are created up front, as operators do: a send never waits for an auto-created leader
                Map.entry("auto.create.topics.enable", "false"),
                Map.entry("offsets.topic.replication.factor", "1"),
                Map.entry("offsets.topic.num.partitions", "1"),
                Map.entry("transaction.state.log.replication.factor", "1"),
                Map.entry("transaction.state.log.min.isr", "1"),
                Map.entry("group.initial.rebalance.delay.ms", "0")));
        if (truststorePassword != null) {
            secure(props, controllerPort);
        }
        config = KafkaConfig.fromProps(props);
        new Formatter()
                .setClusterId(Uuid.randomUuid().toString())
                .setNodeId(1)
                .setDirectories(List.of(logDir.toString()))
                .setMetadataLogDirectory(logDir.toString())
                .setControllerListenerName("CONTROLLER")
                .setSupportedFeatures(Features.PRODUCTION_FEATURES)
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .run();
        start();
    }

    /** The SASL_SSL listener beside the plaintext one; the controller stays plaintext. */
    private void secure(Properties props, int controllerPort) {
        securePort = TestDb.freePort();
        tls = TlsFiles.create(dir, truststorePassword);
        StringBuilder plain = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required");
        plainUsers.forEach((user, password) -> plain.append(" user_").append(user).append("=").append(quoted(password)));
        props.putAll(Map.ofEntries(
                Map.entry("listeners", "PLAINTEXT://127.0.0.1:" + port + ",SECURE://127.0.0.1:" + securePort
                        + ",CONTROLLER://127.0.0.1:" + controllerPort),
                Map.entry("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port + ",SECURE://127.0.0.1:" + securePort),
                Map.entry("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SECURE:SASL_SSL,CONTROLLER:PLAINTEXT"),
                Map.entry("sasl.enabled.mechanisms", "SCRAM-SHA-256,SCRAM-SHA-512,PLAIN"),
                Map.entry("listener.name.secure.scram-sha-256.sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required;"),
                Map.entry("listener.name.secure.scram-sha-512.sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required;"),
                Map.entry("listener.name.secure.plain.sasl.jaas.config", plain + ";"),
                Map.entry("listener.name.secure.ssl.keystore.type", "PKCS12"),
                Map.entry("listener.name.secure.ssl.keystore.location", tls.keystore().toString()),
                Map.entry("listener.name.secure.ssl.keystore.password", tls.keystorePassword()),
                Map.entry("listener.name.secure.ssl.key.password", tls.keystorePassword())));
    }

    /** Starts the broker (again, after {@link #stop()}: same ports, same log, the records it had). */
    public synchronized void start() {
        server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
    }

    /** Shuts the broker down, as a broker that goes away; its clients' connections are refused until {@link #start()}. */
    public synchronized void stop() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        stop();
        TestPostgres.deleteRecursively(dir);
    }

    /** The bootstrap servers of the plaintext listener, for {@code iu.kafka.brokers}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** The bootstrap servers of the SASL over TLS listener. */
    public String secureBootstrapServers() {
        return "127.0.0.1:" + securePort;
    }

    /** The certificate the SASL over TLS listener presents, and the trust store for its clients. */
    public TlsFiles tls() {
        return tls;
    }

    /** Creates (or changes) a SCRAM user, and waits until the broker knows it. */
    public void createScramUser(ScramMechanism mechanism, String user, String password) throws Exception {
        try (Admin admin = admin()) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
                    new ScramCredentialInfo(mechanism, 4096), password))).all().get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30)).until(() -> admin.describeUserScramCredentials(List.of(user))
                    .all().get(30, TimeUnit.SECONDS).get(user).credentialInfos().stream()
                    .anyMatch(info -> info.mechanism() == mechanism));
        }
    }

    /** Creates a topic with three partitions, so per-aggregate order is a matter of keys. */
    public void createTopic(String topic) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }

    /** Every record the topic holds, read from the beginning until {@code count} arrived or the wait ends. */
    public List<ConsumerRecord<String, String>> records(String topic, int count, Duration wait) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "iu-test-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        long deadline = System.nanoTime() + wait.toNanos();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(topic));
            while (records.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    /** A JAAS option value: quoted, its quotes and backslashes escaped. */
    private static String quoted(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
