package dev.iucore.pipeline.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The producer configuration of a cluster. What every cluster gets, and why:
 * <ul>
 * <li>{@code enable.idempotence=true}, {@code acks=all}, {@code max.in.flight.requests.per.connection=5}:
 * the broker drops the duplicates of the producer's own retries and keeps a partition's records in
 * the order they were sent (idempotence allows at most 5 in flight); a record counts as sent only
 * once every in-sync replica has it. Set explicitly, so a conflicting setting is an error rather
 * than idempotence silently off.</li>
 * <li>{@code retries} unbounded, within {@code delivery.timeout.ms} (from
 * {@code iu.kafka.delivery-timeout-ms}): the producer retries inside one try; past that the try is a
 * timeout and the relay's backoff takes over, the delivery's record in the database unchanged.</li>
 * <li>{@code max.block.ms} and {@code request.timeout.ms} half of that: an unreachable cluster fails
 * the try instead of holding a worker.</li>
 * </ul>
 * Secrets are read from their variables here, into the producer's own configuration only (Kafka
 * logs a password-typed value as {@code [hidden]}).
 */
final class ProducerConfigs {

    private ProducerConfigs() {
    }

    static Map<String, Object> of(KafkaCluster cluster, int deliveryTimeoutMs, Function<String, String> environment) {
        Map<String, Object> config = new HashMap<>();
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        config.put(CommonClientConfigs.CLIENT_ID_CONFIG, "iu-core-" + cluster.name());
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        config.put(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, deliveryTimeoutMs);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, deliveryTimeoutMs / 2);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, deliveryTimeoutMs / 2);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        config.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, cluster.securityProtocol());
        if (cluster.sasl()) {
            config.put(SaslConfigs.SASL_MECHANISM, cluster.saslMechanism());
            String password = SecretRefs.resolve("iu.kafka.clusters." + cluster.name() + ".sasl-password-ref",
                    cluster.saslPasswordRef(), environment);
            config.put(SaslConfigs.SASL_JAAS_CONFIG, jaas(cluster.saslMechanism(), cluster.saslUsername(), password));
        }
        if (cluster.tls() && cluster.truststorePath() != null) {
            config.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, cluster.truststorePath());
            config.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, cluster.truststoreType());
            if (cluster.truststorePasswordRef() != null) {
                config.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, SecretRefs.resolve("iu.kafka.clusters."
                        + cluster.name() + ".truststore-password-ref", cluster.truststorePasswordRef(), environment));
            }
        }
        return config;
    }

    /** The client's login, with the user and the password quoted as JAAS reads them: any character may be in a password. */
    static String jaas(String mechanism, String username, String password) {
        String module = mechanism.equals("PLAIN")
                ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                : "org.apache.kafka.common.security.scram.ScramLoginModule";
        return module + " required username=" + quoted(username) + " password=" + quoted(password) + ";";
    }

    private static String quoted(String value) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"', '\\' -> out.append('\\').append(c);
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
