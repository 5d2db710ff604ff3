package dev.iucore.pipeline.delivery;

import java.util.regex.Pattern;
import org.apache.camel.Exchange;

/**
 * Prepares a {@code kafka:<topic>} delivery for the route's kafka endpoint: the topic (checked
 * against Kafka's own naming rule, so nothing but a topic name reaches the endpoint URI), the
 * aggregate id as record key (per-aggregate order within a partition) and the payload as value.
 */
public final class KafkaTarget {

    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");
    /** camel-kafka's record key header. */
    static final String KAFKA_KEY = "kafka.KEY";

    public void prepare(Exchange exchange) {
        DeliveryTask task = exchange.getProperty(DeliveryTask.PROPERTY, DeliveryTask.class);
        String topic = task.targetUri().trim().substring("kafka:".length());
        if (!TOPIC.matcher(topic).matches()) {
            throw new IllegalArgumentException("\"" + topic + "\" is not a Kafka topic name");
        }
        exchange.setProperty(DeliveryTargets.KAFKA_TOPIC, topic);
        exchange.getMessage().setHeader(KAFKA_KEY, task.aggregateId());
        exchange.getMessage().setHeader("webhook-id", task.webhookId());
        exchange.getMessage().setBody(task.payload());
    }
}
