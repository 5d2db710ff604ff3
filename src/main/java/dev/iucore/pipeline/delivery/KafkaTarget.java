package dev.iucore.pipeline.delivery;

import dev.iucore.pipeline.delivery.AttemptResult.Outcome;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * A {@code kafka:<topic>} delivery, sent through Camel's kafka endpoint: the topic is checked
 * against Kafka's own naming rule (so nothing but a topic name reaches the endpoint URI), the
 * aggregate id is the record key (per-aggregate order within a partition), the payload the
 * value, and the event's forwarded headers ({@link ForwardedHeaders}) and {@code webhook-id} its headers. Kafka says itself which failures are worth another try: its retriable errors (a broker
 * that cannot be reached, a leader moving) are retried, its other errors (an invalid topic, a
 * record too large, a denied write) are permanent.
 */
public final class KafkaTarget implements DeliveryTarget {

    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");
    /** camel-kafka's record key header. */
    static final String KAFKA_KEY = "kafka.KEY";
    /** Bounded waits: an unreachable broker fails the try instead of holding a worker. */
    private static final String ENDPOINT_OPTIONS =
            "?brokers={{iu.kafka.brokers}}&maxBlockMs=10000&requestTimeoutMs=10000&deliveryTimeoutMs=20000";

    private final Supplier<CamelContext> context;
    private volatile ProducerTemplate producer;

    /** @param context the service's Camel context, asked at the first try (it exists by then) */
    public KafkaTarget(Supplier<CamelContext> context) {
        this.context = context;
    }

    @Override
    public AttemptResult tryOnce(DeliveryAttempt attempt) {
        DeliveryTask task = attempt.getTask();
        long start = System.nanoTime();
        String topic = task.targetUri().trim().substring("kafka:".length());
        if (!TOPIC.matcher(topic).matches()) {
            return AttemptResult.failed(Outcome.PERMANENT_FAILURE,
                    new InvalidTopicException("\"" + topic + "\" is not a Kafka topic name"), 0);
        }
        Exchange sent = producer().send("kafka:" + topic + ENDPOINT_OPTIONS, exchange -> {
            exchange.getMessage().setHeader(KAFKA_KEY, task.aggregateId());
            // prefixed or trace context: never one of camel-kafka's own (kafka.KEY, kafka.OVERRIDE_TOPIC …)
            task.forwardedHeaders().forEach(exchange.getMessage()::setHeader);
            exchange.getMessage().setHeader("webhook-id", task.webhookId());
            exchange.getMessage().setBody(task.payload());
        });
        long latency = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        if (sent.getException() != null) {
            Throwable error = kafkaCause(sent.getException());
            return AttemptResult.failed(outcome(error), error, latency);
        }
        return AttemptResult.delivered(null, latency);
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

    private ProducerTemplate producer() {
        ProducerTemplate template = producer;
        if (template == null) {
            synchronized (this) {
                if (producer == null) {
                    producer = context.get().createProducerTemplate();
                }
                template = producer;
            }
        }
        return template;
    }
}
