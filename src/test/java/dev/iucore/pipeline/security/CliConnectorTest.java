package dev.iucore.pipeline.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.RunningPipeline;
import java.util.Map;
import org.apache.camel.spi.CliConnectorFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** camel-cli-connector's control channel under ~/.camel: off unless the operator turns it on. */
class CliConnectorTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @Test
    void theCliConnectorIsOffByDefaultAndOnOnlyBySetting() {
        assertThat(cliConnectorEnabled(Map.of())).isFalse();
        assertThat(cliConnectorEnabled(Map.of(Setting.CLI_CONNECTOR, "true"))).isTrue();
    }

    private static boolean cliConnectorEnabled(Map<Setting, String> overrides) {
        try (RunningPipeline service = RunningPipeline.start(DB.db(), "cli-connector", overrides)) {
            return service.camelContext().getCamelContextExtension().getContextPlugin(CliConnectorFactory.class).isEnabled();
        }
    }
}
