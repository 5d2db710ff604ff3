package dev.iucore.pipeline.kafka;

import dev.iucore.pipeline.config.ConfigurationException;
import dev.iucore.pipeline.config.Setting;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One idempotent producer per configured cluster, made at the first record for it and shared by
 * every route and topic on that cluster (a Kafka producer is thread-safe, and one per cluster keeps
 * one producer id, one set of connections). A cluster whose producer cannot be made (an address that
 * does not resolve, a trust store that does not load) fails that try; the next try makes it again.
 */
public final class KafkaProducers implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaProducers.class);

    private final KafkaClusters clusters;
    private final int deliveryTimeoutMs;
    private final Function<String, String> environment;
    private final Map<String, Producer<String, String>> producers = new ConcurrentHashMap<>();

    /** @param environment where the clusters' secret references are read (the process's environment) */
    public KafkaProducers(KafkaClusters clusters, int deliveryTimeoutMs, Function<String, String> environment) {
        if (deliveryTimeoutMs < 1000) {
            throw new ConfigurationException(Setting.KAFKA_DELIVERY_TIMEOUT_MS.key() + " (env "
                    + Setting.KAFKA_DELIVERY_TIMEOUT_MS.envName() + ") must be at least 1000, not " + deliveryTimeoutMs);
        }
        this.clusters = clusters;
        this.deliveryTimeoutMs = deliveryTimeoutMs;
        this.environment = environment;
    }

    /**
     * The producer of a cluster ({@link KafkaClusters#DEFAULT} for a route that names none).
     *
     * @throws UnknownKafkaClusterException when no cluster of that name is configured
     */
    public Producer<String, String> of(String cluster) {
        KafkaCluster configured = clusters.get(cluster);
        return producers.computeIfAbsent(configured.name(),
                name -> new KafkaProducer<>(ProducerConfigs.of(configured, deliveryTimeoutMs, environment)));
    }

    /** The longest a send may take: the producer's delivery timeout, plus its wait for metadata. */
    public Duration sendBound() {
        return Duration.ofMillis(deliveryTimeoutMs + deliveryTimeoutMs / 2 + 1000L);
    }

    /** After an error the producer does not recover from: the next try of the cluster makes a new one. */
    public void discard(String cluster, Producer<String, String> producer) {
        if (producers.remove(cluster, producer)) {
            LOG.warn("Kafka cluster {}: producer discarded after an error it does not recover from; the next try makes a new one", cluster);
            producer.close(Duration.ZERO);
        }
    }

    /** Flushes what is in flight (bounded) and closes every producer: the service is stopping. */
    @Override
    public void close() {
        producers.forEach((name, producer) -> {
            try {
                producer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.warn("Kafka cluster {}: producer did not close cleanly: {}", name, e.getMessage());
            }
        });
        producers.clear();
    }
}
