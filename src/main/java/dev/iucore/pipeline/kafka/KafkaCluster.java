package dev.iucore.pipeline.kafka;

/**
 * One Kafka cluster the service may publish to, as configured ({@code iu.kafka.clusters.<name>.*}):
 * where it is and how to log in. Secrets only by the name of the variable that holds them.
 *
 * @param truststorePath        null: the JVM's default trust
 * @param saslMechanism         null unless the protocol is {@code SASL_*}
 * @param truststorePasswordRef null: a trust store without a password
 */
public record KafkaCluster(String name, String bootstrapServers, String securityProtocol, String saslMechanism,
                           String saslUsername, String saslPasswordRef, String truststorePath, String truststoreType,
                           String truststorePasswordRef) {

    public boolean sasl() {
        return securityProtocol.startsWith("SASL_");
    }

    public boolean tls() {
        return securityProtocol.endsWith("SSL");
    }
}
