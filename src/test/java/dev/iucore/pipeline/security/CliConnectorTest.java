package dev.iucore.pipeline.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.RunningPipeline;
import java.util.Map;
import org.apache.camel.StatefulService;
import org.apache.camel.spi.CliConnector;
import org.apache.camel.spi.CliConnectorFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** camel-cli-connector's control channel under ~/.camel: off unless the operator turns it on. */
class CliConnectorTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @Test
    void theCliConnectorIsOffByDefaultAndOnOnlyBySetting() {
        try (RunningPipeline service = RunningPipeline.start(DB.db(), "cli-connector", Map.of())) {
            assertThat(service.camelContext().getCamelContextExtension().getContextPlugin(CliConnectorFactory.class)
                    .isEnabled()).isFalse();
            assertThat(service.camelContext().hasService(CliConnector.class)).isNull();
        }
        // started once the context has (CamelCliConnector), and running
        try (RunningPipeline service = RunningPipeline.start(DB.db(), "cli-connector", Map.of(Setting.CLI_CONNECTOR, "true"))) {
            assertThat(service.camelContext().getCamelContextExtension().getContextPlugin(CliConnectorFactory.class)
                    .isEnabled()).isTrue();
            CliConnector connector = service.camelContext().hasService(CliConnector.class);
            assertThat(connector).isInstanceOf(StatefulService.class);
            assertThat(((StatefulService) connector).isStarted()).isTrue();
        }
    }
}
