package dev.iucore.pipeline.delivery;

import dev.iucore.pipeline.delivery.AttemptResult.Outcome;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * The steps around the route's kafka endpoint for a {@code kafka:<topic>} delivery: {@link #prepare}
 * checks the topic against Kafka's own naming rule (so nothing but a topic name reaches the
 * endpoint URI) and sets the aggregate id as record key (per-aggregate order within a partition)
 * and the payload as value; {@link #sent} and {@link #failure} leave the attempt's result for the
 * recorder. Kafka says itself which failures are worth another try: its retriable errors (a
 * broker that cannot be reached, a leader moving) are retried, its other errors (an invalid
 * topic, a record too large, a denied write) are permanent.
 */
public final class KafkaTarget {

    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");
    private static final String STARTED = "iuKafkaStarted";
    /** camel-kafka's record key header. */
    static final String KAFKA_KEY = "kafka.KEY";

    public void prepare(Exchange exchange) {
        exchange.setProperty(STARTED, System.nanoTime());
        DeliveryTask task = exchange.getProperty(DeliveryTask.PROPERTY, DeliveryTask.class);
        String topic = task.targetUri().trim().substring("kafka:".length());
        if (!TOPIC.matcher(topic).matches()) {
            throw new InvalidTopicException("\"" + topic + "\" is not a Kafka topic name");
        }
        exchange.setProperty(DeliveryTargets.KAFKA_TOPIC, topic);
        exchange.getMessage().setHeader(KAFKA_KEY, task.aggregateId());
        exchange.getMessage().setHeader("webhook-id", task.webhookId());
        exchange.getMessage().setBody(task.payload());
    }

    /** The broker acknowledged the record. */
    public void sent(Exchange exchange) {
        exchange.setProperty(AttemptResult.PROPERTY, AttemptResult.delivered(null, millisSince(exchange)));
    }

    /** The send failed: the caught exception, classified by Kafka's own retriable marker. */
    public void failure(Exchange exchange) {
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Throwable error = caught == null ? new IllegalStateException("the send failed") : kafkaCause(caught);
        exchange.setProperty(AttemptResult.PROPERTY, AttemptResult.failed(outcome(error), error, millisSince(exchange)));
    }

    static Outcome outcome(Throwable error) {
        if (error instanceof TimeoutException) {
            return Outcome.TIMEOUT;
        }
        if (error instanceof ApiException && !(error instanceof RetriableException)) {
            return Outcome.PERMANENT_FAILURE;
        }
        return Outcome.FAILED;
    }

    /** The Kafka error inside Camel's and the producer's wrappers, or the exception itself. */
    private static Throwable kafkaCause(Throwable caught) {
        for (Throwable t = caught; t != null; t = t.getCause()) {
            if (t instanceof ApiException) {
                return t;
            }
        }
        return caught;
    }

    private static long millisSince(Exchange exchange) {
        Long started = exchange.getProperty(STARTED, Long.class);
        return started == null ? 0 : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    }
}
