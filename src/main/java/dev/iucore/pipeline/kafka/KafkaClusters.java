package dev.iucore.pipeline.kafka;

import dev.iucore.pipeline.config.ConfigurationException;
import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka clusters this service is configured with, read and checked once at start-up: the
 * default one ({@code iu.kafka.brokers}, security by {@code iu.kafka.clusters.default.*}) and every
 * cluster {@code iu.kafka.clusters.<name>.bootstrap-servers} declares. A setting that cannot work
 * (an unknown protocol, SASL without a user, a secret that is not there, a trust store that cannot
 * be read, a key of a cluster never declared) stops the start with its key, instead of failing
 * every delivery later.
 */
public final class KafkaClusters {

    public static final String DEFAULT = "default";
    private static final String PREFIX = "iu.kafka.clusters.";

    private static final Logger LOG = LoggerFactory.getLogger(KafkaClusters.class);
    /** The form iu_outbound_route.kafka_cluster allows (V080); an environment variable can carry it. */
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");
    private static final Set<String> PROTOCOLS = Set.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");
    private static final Set<String> MECHANISMS = Set.of("SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN");
    private static final Set<String> TRUSTSTORE_TYPES = Set.of("PKCS12", "JKS", "PEM");
    private static final List<Setting> PER_CLUSTER = List.of(Setting.KAFKA_CLUSTER_BOOTSTRAP_SERVERS,
            Setting.KAFKA_CLUSTER_SECURITY_PROTOCOL, Setting.KAFKA_CLUSTER_SASL_MECHANISM,
            Setting.KAFKA_CLUSTER_SASL_USERNAME, Setting.KAFKA_CLUSTER_SASL_PASSWORD_REF,
            Setting.KAFKA_CLUSTER_TRUSTSTORE_PATH, Setting.KAFKA_CLUSTER_TRUSTSTORE_TYPE,
            Setting.KAFKA_CLUSTER_TRUSTSTORE_PASSWORD_REF);

    private final SortedMap<String, KafkaCluster> clusters;

    private KafkaClusters(SortedMap<String, KafkaCluster> clusters) {
        this.clusters = clusters;
    }

    /**
     * @param environment where the secrets' variables are looked up (the process's environment);
     *                    they are checked here and read again when a producer is made
     */
    public static KafkaClusters from(Settings settings, Function<String, String> environment) {
        onlyKnownKeys(settings);
        SortedSet<String> names = new TreeSet<>();
        PER_CLUSTER.forEach(setting -> names.addAll(settings.names(setting)));
        names.add(DEFAULT);
        SortedMap<String, KafkaCluster> clusters = new TreeMap<>();
        for (String name : names) {
            clusters.put(name, cluster(settings, name, environment));
        }
        return new KafkaClusters(Collections.unmodifiableSortedMap(clusters));
    }

    public Optional<KafkaCluster> find(String name) {
        return Optional.ofNullable(clusters.get(name));
    }

    /** The cluster of that name, or the error a delivery to it records. */
    public KafkaCluster get(String name) {
        return find(name).orElseThrow(() -> new UnknownKafkaClusterException(name, clusters.keySet()));
    }

    public Set<String> names() {
        return clusters.keySet();
    }

    private static KafkaCluster cluster(Settings settings, String name, Function<String, String> environment) {
        if (!NAME.matcher(name).matches()) {
            throw new ConfigurationException("iu.kafka.clusters." + name + ".*: \"" + name + "\" is no cluster name:"
                    + " lower case letters, digits and _, starting with a letter (it is part of environment"
                    + " variable names and of iu_outbound_route.kafka_cluster)");
        }
        String servers = bootstrapServers(settings, name);
        String protocol = settings.get(Setting.KAFKA_CLUSTER_SECURITY_PROTOCOL, name).toUpperCase(Locale.ROOT);
        oneOf(Setting.KAFKA_CLUSTER_SECURITY_PROTOCOL.key(name), protocol, PROTOCOLS);
        String mechanism = settings.get(Setting.KAFKA_CLUSTER_SASL_MECHANISM, name).toUpperCase(Locale.ROOT);
        String username = settings.get(Setting.KAFKA_CLUSTER_SASL_USERNAME, name);
        String passwordRef = settings.get(Setting.KAFKA_CLUSTER_SASL_PASSWORD_REF, name);
        String truststore = settings.get(Setting.KAFKA_CLUSTER_TRUSTSTORE_PATH, name);
        String truststoreType = settings.get(Setting.KAFKA_CLUSTER_TRUSTSTORE_TYPE, name).toUpperCase(Locale.ROOT);
        String truststorePasswordRef = settings.get(Setting.KAFKA_CLUSTER_TRUSTSTORE_PASSWORD_REF, name);
        KafkaCluster cluster = new KafkaCluster(name, servers, protocol, blankToNull(mechanism), blankToNull(username),
                blankToNull(passwordRef), blankToNull(truststore), truststoreType, blankToNull(truststorePasswordRef));
        if (cluster.sasl()) {
            oneOf(Setting.KAFKA_CLUSTER_SASL_MECHANISM.key(name), mechanism, MECHANISMS);
            required(Setting.KAFKA_CLUSTER_SASL_USERNAME, name, username, protocol);
            required(Setting.KAFKA_CLUSTER_SASL_PASSWORD_REF, name, passwordRef, protocol);
            SecretRefs.resolve(Setting.KAFKA_CLUSTER_SASL_PASSWORD_REF.key(name), passwordRef, environment);
            if (!cluster.tls()) {
                LOG.warn("Kafka cluster {} authenticates over an unencrypted connection ({}): use SASL_SSL", name, protocol);
            }
        } else {
            onlyWith(Setting.KAFKA_CLUSTER_SASL_MECHANISM, name, mechanism, "SASL_PLAINTEXT or SASL_SSL");
            onlyWith(Setting.KAFKA_CLUSTER_SASL_USERNAME, name, username, "SASL_PLAINTEXT or SASL_SSL");
            onlyWith(Setting.KAFKA_CLUSTER_SASL_PASSWORD_REF, name, passwordRef, "SASL_PLAINTEXT or SASL_SSL");
        }
        if (cluster.tls()) {
            oneOf(Setting.KAFKA_CLUSTER_TRUSTSTORE_TYPE.key(name), truststoreType, TRUSTSTORE_TYPES);
            if (!truststore.isEmpty() && !Files.isReadable(Path.of(truststore))) {
                throw new ConfigurationException(Setting.KAFKA_CLUSTER_TRUSTSTORE_PATH.key(name) + ": cannot read the"
                        + " trust store " + Path.of(truststore).toAbsolutePath() + " (a file readable by the service)");
            }
            if (!truststorePasswordRef.isEmpty()) {
                SecretRefs.resolve(Setting.KAFKA_CLUSTER_TRUSTSTORE_PASSWORD_REF.key(name), truststorePasswordRef, environment);
            }
        } else {
            onlyWith(Setting.KAFKA_CLUSTER_TRUSTSTORE_PATH, name, truststore, "SSL or SASL_SSL");
            onlyWith(Setting.KAFKA_CLUSTER_TRUSTSTORE_PASSWORD_REF, name, truststorePasswordRef, "SSL or SASL_SSL");
        }
        return cluster;
    }

    /**
     * A key under {@code iu.kafka.clusters.} that is none of a cluster's is a typo, or a password
     * written where only its reference may be: refused, not ignored.
     */
    private static void onlyKnownKeys(Settings settings) {
        for (String key : settings.keys(PREFIX)) {
            String rest = key.substring(PREFIX.length());
            int dot = rest.indexOf('.');
            String name = dot < 0 ? rest : rest.substring(0, dot);
            if (PER_CLUSTER.stream().noneMatch(setting -> setting.key(name).equals(key))) {
                throw new ConfigurationException(key + " is no setting of a Kafka cluster: its keys are "
                        + PER_CLUSTER.stream().map(setting -> setting.key().substring(PREFIX.length()))
                                .collect(Collectors.joining(", "))
                        + "; a password comes only by reference (an IU_KAFKA_SECRET_… variable named by a *-password-ref)");
            }
        }
    }

    private static String bootstrapServers(Settings settings, String name) {
        String declared = settings.get(Setting.KAFKA_CLUSTER_BOOTSTRAP_SERVERS, name);
        if (name.equals(DEFAULT)) {
            if (!declared.isEmpty()) {
                throw new ConfigurationException(Setting.KAFKA_CLUSTER_BOOTSTRAP_SERVERS.key(name) + " is set: the default"
                        + " cluster's bootstrap servers are " + Setting.KAFKA_BROKERS.key() + " (env "
                        + Setting.KAFKA_BROKERS.envName() + "); set them there only");
            }
            return settings.get(Setting.KAFKA_BROKERS);
        }
        if (declared.isEmpty()) {
            throw new ConfigurationException("iu.kafka.clusters." + name + ".* is set but "
                    + Setting.KAFKA_CLUSTER_BOOTSTRAP_SERVERS.key(name) + " is not: declare the cluster's bootstrap"
                    + " servers (host:port,…) or remove its other keys");
        }
        return declared;
    }

    private static void oneOf(String key, String value, Set<String> allowed) {
        if (!allowed.contains(value)) {
            throw new ConfigurationException(key + " must be one of " + String.join(", ", new TreeSet<>(allowed))
                    + ", not \"" + value + "\"");
        }
    }

    private static void required(Setting setting, String name, String value, String protocol) {
        if (value.isEmpty()) {
            throw new ConfigurationException(setting.key(name) + " must be set: cluster " + name + " uses " + protocol);
        }
    }

    private static void onlyWith(Setting setting, String name, String value, String protocols) {
        if (!value.isEmpty()) {
            throw new ConfigurationException(setting.key(name) + " is set but cluster " + name + " uses "
                    + "a security protocol without it: set " + Setting.KAFKA_CLUSTER_SECURITY_PROTOCOL.key(name)
                    + " to " + protocols + ", or remove the key");
        }
    }

    private static String blankToNull(String value) {
        return value.isEmpty() ? null : value;
    }
}
