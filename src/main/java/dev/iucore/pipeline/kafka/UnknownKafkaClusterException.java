package dev.iucore.pipeline.kafka;

import java.util.Set;

/** A route names a cluster this service is not configured with. */
public final class UnknownKafkaClusterException extends RuntimeException {

    UnknownKafkaClusterException(String name, Set<String> known) {
        super("Kafka cluster \"" + name + "\" is not configured here (configured: " + String.join(", ", known)
                + "): declare it with iu.kafka.clusters." + name + ".bootstrap-servers and restart,"
                + " or correct the route's kafka_cluster");
    }
}
