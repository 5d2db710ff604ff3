package dev.iucore.pipeline.kafka;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.iucore.pipeline.config.ConfigurationException;
import dev.iucore.pipeline.config.Settings;
import dev.iucore.pipeline.service.PipelineService;
import dev.iucore.pipeline.testing.DatabaseExtension;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The service does not start with a Kafka cluster that cannot work: the error names the key, before any route runs. */
class KafkaClustersAtStartTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @Test
    void aClusterWhosePasswordVariableIsNotSetStopsTheStartNamingTheKey() {
        Settings settings = DB.db().settings()
                .withProperty("iu.kafka.clusters.east.bootstrap-servers", "127.0.0.1:9093")
                .withProperty("iu.kafka.clusters.east.security-protocol", "SASL_SSL")
                .withProperty("iu.kafka.clusters.east.sasl-mechanism", "SCRAM-SHA-512")
                .withProperty("iu.kafka.clusters.east.sasl-username", "relay")
                .withProperty("iu.kafka.clusters.east.sasl-password-ref", "IU_KAFKA_SECRET_NOT_SET_IN_THE_BUILD");

        assertThatThrownBy(() -> new PipelineService(settings, DB.db().runtime(), Optional.empty()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("iu.kafka.clusters.east.sasl-password-ref: no usable secret in"
                        + " IU_KAFKA_SECRET_NOT_SET_IN_THE_BUILD (it must name a set, non-empty environment variable"
                        + " IU_KAFKA_SECRET_… holding the secret itself)");
    }
}
