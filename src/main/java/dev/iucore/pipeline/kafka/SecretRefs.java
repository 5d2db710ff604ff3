package dev.iucore.pipeline.kafka;

import dev.iucore.pipeline.config.ConfigurationException;
import java.util.function.Function;

/**
 * Kafka passwords come by reference, as webhook secrets do: a setting names an environment variable
 * with the dedicated prefix {@value #PREFIX}, which holds the password. Only such variables are read,
 * so a cluster cannot be pointed at, say, {@code IU_DB_PASSWORD}; the password itself is never a
 * setting, a Camel property, a table value or a line of the log.
 */
final class SecretRefs {

    static final String PREFIX = "IU_KAFKA_SECRET_";

    private SecretRefs() {
    }

    /**
     * The secret a setting names. One text for every refusal (unprefixed, unset, empty): whether a
     * variable is set is nobody's business.
     */
    static String resolve(String settingKey, String ref, Function<String, String> environment) {
        String value = ref.startsWith(PREFIX) && ref.length() > PREFIX.length() ? environment.apply(ref) : null;
        if (value == null || value.isEmpty()) {
            throw new ConfigurationException(settingKey + ": no usable secret in " + ref + " (it must name a set,"
                    + " non-empty environment variable " + PREFIX + "… holding the secret itself)");
        }
        return value;
    }
}
