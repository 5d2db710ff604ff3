package dev.iucore.pipeline.delivery;

import dev.iucore.pipeline.delivery.AttemptResult.Outcome;
import dev.iucore.pipeline.kafka.KafkaClusters;
import dev.iucore.pipeline.kafka.KafkaProducers;
import dev.iucore.pipeline.kafka.UnknownKafkaClusterException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * A {@code kafka:<topic>} delivery, published by the idempotent producer of the route's cluster
 * ({@code kafka_cluster}, none: the default one; {@link KafkaProducers}). The topic is checked
 * against Kafka's own naming rule; the aggregate id is the record key (per-aggregate order within a
 * partition), the payload the value, and the event's forwarded headers ({@link ForwardedHeaders})
 * and {@code webhook-id} its headers. The try is delivered when every in-sync replica has the record.
 *
 * <p>Kafka says itself which failures are worth another try: its retriable errors (a broker that
 * cannot be reached, a leader moving, a timeout) are retried, and so is a failed login (a password
 * being rotated, a user not yet created: configuration, as an unknown cluster is); its other errors
 * (an invalid topic, a record too large, a denied write) are permanent.
 *
 * <p>The Kafka client is used directly, not through a Camel endpoint: the cluster's credentials then
 * live only in its producer's configuration, never in an endpoint URI or a Camel property.
 */
public final class KafkaTarget implements DeliveryTarget {

    private final KafkaProducers producers;

    public KafkaTarget(KafkaProducers producers) {
        this.producers = producers;
    }

    @Override
    public AttemptResult tryOnce(DeliveryAttempt attempt) {
        DeliveryTask task = attempt.getTask();
        long start = System.nanoTime();
        String topic = TargetRules.kafkaTopic(task.targetUri());
        String invalid = TargetRules.kafkaTopicRefusal(topic);
        if (invalid != null) {
            return AttemptResult.failed(Outcome.PERMANENT_FAILURE, new InvalidTopicException(invalid), 0);
        }
        String cluster = task.kafkaCluster() == null ? KafkaClusters.DEFAULT : task.kafkaCluster();
        Producer<String, String> producer;
        try {
            producer = producers.of(cluster);
        } catch (UnknownKafkaClusterException e) {
            return AttemptResult.failed(Outcome.FAILED, null, "UnknownKafkaCluster",
                    "route " + task.routeKey() + ": " + e.getMessage(), 0);
        } catch (KafkaException e) {
            return AttemptResult.failed(Outcome.FAILED, null, e.getClass().getSimpleName(),
                    "Kafka cluster " + cluster + ": cannot make its producer: " + rootMessage(e), millisSince(start));
        }
        Throwable error = send(producer, record(task, topic), task.longestTryMs());
        long latency = millisSince(start);
        if (error == null) {
            return AttemptResult.delivered(null, latency);
        }
        if (unrecoverable(error)) {
            producers.discard(cluster, producer);
        }
        // several clusters: the error says which one
        return AttemptResult.failed(outcome(error), null, error.getClass().getSimpleName(),
                "Kafka cluster " + cluster + ": " + error.getMessage(), latency);
    }

    private static ProducerRecord<String, String> record(DeliveryTask task, String topic) {
        RecordHeaders headers = new RecordHeaders();
        // prefixed or trace context: never a name of ours or a control header
        task.forwardedHeaders().forEach((name, value) -> headers.add(name, value.getBytes(StandardCharsets.UTF_8)));
        headers.add("webhook-id", task.webhookId().getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(topic, null, task.aggregateId(), task.payload(), headers);
    }

    /**
     * The send and the broker's acknowledgement, within the try's bound (the producer's send bound, as
     * the task's lease was reckoned with it: {@code fn_iu_core_delivery_route}): null when acknowledged.
     */
    private static Throwable send(Producer<String, String> producer, ProducerRecord<String, String> record, long boundMs) {
        try {
            Future<RecordMetadata> acknowledged = producer.send(record);
            acknowledged.get(boundMs, TimeUnit.MILLISECONDS);
            return null;
        } catch (ExecutionException e) {
            return kafkaCause(e.getCause() == null ? e : e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            return new TimeoutException("no acknowledgement within " + boundMs + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return e;
        } catch (KafkaException | IllegalStateException e) {
            // thrown by the send itself: the producer is closed or broken (unrecoverable below)
            return kafkaCause(e);
        }
    }

    static Outcome outcome(Throwable error) {
        if (error instanceof TimeoutException) {
            return Outcome.TIMEOUT;
        }
        if (error instanceof AuthenticationException) {
            return Outcome.FAILED;
        }
        if (error instanceof ApiException && !(error instanceof RetriableException)) {
            return Outcome.PERMANENT_FAILURE;
        }
        return Outcome.FAILED;
    }

    /** Errors after which the idempotent producer stays unusable (or closed): a new one is made. */
    private static boolean unrecoverable(Throwable error) {
        return error instanceof ClusterAuthorizationException || error instanceof UnsupportedVersionException
                || error instanceof OutOfOrderSequenceException || error instanceof IllegalStateException
                || (error instanceof KafkaException && !(error instanceof ApiException));
    }

    /** The Kafka error inside the producer's wrappers, or the exception itself. */
    private static Throwable kafkaCause(Throwable caught) {
        for (Throwable t = caught; t != null; t = t.getCause()) {
            if (t instanceof ApiException) {
                return t;
            }
        }
        return caught;
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == error ? String.valueOf(error.getMessage()) : error.getMessage() + ": " + root.getMessage();
    }

    private static long millisSince(long start) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }
}
