package dev.iucore.pipeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

    @TempDir
    Path dir;

    @Test
    void environmentVariablesUseCamelsMapping() {
        assertThat(Setting.DB_URL.envName()).isEqualTo("IU_DB_URL");
        assertThat(Setting.DB_OWNER_PASSWORD.envName()).isEqualTo("IU_DB_OWNER_PASSWORD");
        assertThat(Setting.DATA_DIR.envName()).isEqualTo("IU_DATA_DIR");
        assertThat(Setting.ROUTES_DIR.envName()).isEqualTo("IU_ROUTES_DIR");
    }

    @Test
    void laterSourcesWinFileThenEnvironmentThenSystemProperties() throws Exception {
        Path file = dir.resolve("iu-core.properties");
        Files.writeString(file, "iu.db.pool-size = 3\niu.node-id = from-file\niu.data-dir = /from/file\n");
        Properties system = new Properties();
        system.setProperty("iu.node-id", "from-system");
        Settings settings = Settings.load(
                Map.of("IU_CONFIG_FILE", file.toString(), "IU_NODE_ID", "from-env", "IU_DATA_DIR", "/from/env"), system);

        assertThat(settings.getInt(Setting.DB_POOL_SIZE)).isEqualTo(3);
        assertThat(settings.get(Setting.DATA_DIR)).isEqualTo("/from/env");
        assertThat(settings.get(Setting.NODE_ID)).isEqualTo("from-system");
        assertThat(settings.get(Setting.DB_USER)).isEqualTo("iu_core_app");
        assertThat(settings.raw("camel.main.name")).contains("iu-core");
        assertThat(settings.optional(Setting.DB_URL)).isEmpty();
    }

    @Test
    void aCamelKeyOfThePackagedFileTakesItsEnvironmentVariableAlsoAPort() {
        Settings settings = Settings.load(Map.of("CAMEL_MANAGEMENT_PORT", "19999", "CAMEL_MANAGEMENT_HOST", "10.0.0.7"),
                new Properties());
        assertThat(settings.raw("camel.management.port")).contains("19999");
        assertThat(settings.raw("camel.management.host")).contains("10.0.0.7");
        assertThat(Settings.load(Map.of(), new Properties()).raw("camel.management.port")).contains("9876");
    }

    @Test
    void aBadValueNamesTheKeyTheVariableAndWhatIsExpected() {
        Settings settings = Settings.load(Map.of("IU_DB_POOL_SIZE", "lots", "IU_MIGRATE_ON_START", "maybe"), new Properties());
        assertThatThrownBy(() -> settings.getInt(Setting.DB_POOL_SIZE))
                .hasMessage("iu.db.pool-size (env IU_DB_POOL_SIZE) must be a whole number, not \"lots\"");
        assertThatThrownBy(() -> settings.getBoolean(Setting.MIGRATE_ON_START))
                .hasMessage("iu.migrate-on-start (env IU_MIGRATE_ON_START) must be true or false, not \"maybe\"");
    }

    @Test
    void everyConfigurationRowOfTheReadmeIsASettingStillRead() throws Exception {
        // a row left behind by a retired setting (iu.relay.lease-ms was one) tells operators of a knob that does nothing
        java.util.Set<String> keys = java.util.Arrays.stream(Setting.values()).map(Setting::key)
                .collect(java.util.stream.Collectors.toSet());
        java.util.regex.Matcher row = java.util.regex.Pattern.compile("(?m)^\\| `(iu\\.[a-z0-9.-]+)` \\| `IU_")
                .matcher(Files.readString(Path.of("README.md")));
        java.util.List<String> documented = new java.util.ArrayList<>();
        while (row.find()) {
            documented.add(row.group(1));
        }
        assertThat(documented).hasSizeGreaterThan(50);
        assertThat(documented).allSatisfy(key -> assertThat(keys).as("README row %s", key).contains(key));
    }

    @Test
    void aMissingConfigFileIsAClearError() {
        assertThatThrownBy(() -> Settings.load(Map.of("IU_CONFIG_FILE", "/no/such/file.properties"), new Properties()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("cannot read the configuration file /no/such/file.properties named by IU_CONFIG_FILE");
    }

    @Test
    void theReadmeDocumentsEverySettingOnce() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        for (Setting setting : Setting.values()) {
            // the row is generated from the declaration: key, variable, default and description
            String row = "| `" + setting.key() + "` | `" + setting.envName() + "` | "
                    + (setting.defaultValue().isEmpty() ? "" : "`" + setting.defaultValue() + "`") + " | "
                    + setting.description() + " |";
            assertThat(readme).as("README configuration row, expected:%n%s", row).contains(row);
            assertThat(readme.split("`" + java.util.regex.Pattern.quote(setting.key()) + "` \\|", -1))
                    .as("%s documented once", setting.key()).hasSize(2);
        }
    }

    @Test
    void everySettingIsCheckedByItsRuleAtOnceAndAtEachRead() {
        Settings.load(Map.of(), new Properties()).validate();
        Settings bad = Settings.load(Map.of("IU_DB_POOL_SIZE", "1", "IU_HEALTH_MAX_DEAD_TUPLE_RATIO", "1.5",
                "IU_RETENTION_CRON", "0 15 3 * *", "IU_RELAY_LISTEN", "yes"), new Properties());
        assertThatThrownBy(bad::validate).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("iu.db.pool-size (env IU_DB_POOL_SIZE) must be from 2 to 1000, not 1")
                .hasMessageContaining("iu.health.max-dead-tuple-ratio (env IU_HEALTH_MAX_DEAD_TUPLE_RATIO) must be between 0.0 and 1.0, not 1.5")
                .hasMessageContaining("iu.retention.cron (env IU_RETENTION_CRON) must be a Quartz cron expression")
                .hasMessageContaining("iu.relay.listen (env IU_RELAY_LISTEN) must be true or false, not \"yes\"");
        assertThatThrownBy(() -> bad.getInt(Setting.DB_POOL_SIZE)).hasMessage("iu.db.pool-size (env IU_DB_POOL_SIZE) must be from 2 to 1000, not 1");
        assertThat(Settings.load(Map.of("IU_LOG_FORMAT", "JSON", "IU_LOG_LEVEL", "debug"), new Properties()).get(Setting.LOG_FORMAT))
                .as("choices in any case").isEqualTo("JSON");
        Settings.load(Map.of("IU_LOG_FORMAT", "JSON", "IU_LOG_LEVEL", "debug"), new Properties()).validate();
    }
}
