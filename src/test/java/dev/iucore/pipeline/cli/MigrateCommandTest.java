package dev.iucore.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.iucore.pipeline.testing.Cli;
import dev.iucore.pipeline.testing.DatabaseExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MigrateCommandTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.empty();

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Cli.Result iuCore(String... args) {
        return Cli.run(DB.db().settings(), args);
    }

    private static boolean exists(String table) {
        return (Boolean) DB.db().queryValue("SELECT to_regclass(?) IS NOT NULL", "public." + table);
    }

    @Test
    void migrateRollsBackAndMigratesAgainFromTheCommandLine() throws Exception {
        Cli.Result dry = iuCore("migrate", "--dry-run", "--json");
        assertThat(dry.exitCode()).isZero();
        assertThat(JSON.readTree(dry.out()).get("pending")).hasSizeGreaterThanOrEqualTo(7);
        assertThat(exists("iu_core_gate")).isFalse();

        Cli.Result applied = iuCore("migrate", "--json");
        assertThat(applied.exitCode()).isZero();
        JsonNode result = JSON.readTree(applied.out());
        assertThat(result.get("applied").get(0).asText()).isEqualTo("001");
        assertThat(exists("iu_command_log")).isTrue();
        assertThat(DB.db().queryLong("SELECT count(*) FROM iu_command_log WHERE command_name = 'migrate'"))
                .as("migrate is logged once the log exists").isEqualTo(1);

        Cli.Result plan = iuCore("migrate", "--rollback", "6", "--dry-run", "--json");
        assertThat(plan.exitCode()).isZero();
        assertThat(JSON.readTree(plan.out()).get("would_roll_back").toString()).startsWith("[").contains("\"006\"");
        assertThat(exists("iu_core_retention_policy")).as("a dry run changes nothing").isTrue();

        Cli.Result rolledBack = iuCore("migrate", "--rollback", "6");
        assertThat(rolledBack.exitCode()).isZero();
        assertThat(rolledBack.out()).contains("rolled back:").contains("006");
        assertThat(exists("iu_core_retention_policy")).isFalse();
        assertThat(exists("iu_command_log")).isFalse();
        assertThat(exists("information_unit")).as("below the target stays").isTrue();

        assertThat(iuCore("migrate").exitCode()).isZero();
        assertThat(exists("iu_core_retention_policy")).isTrue();
        assertThat(iuCore("migrate", "--dry-run").out()).contains("nothing to apply").doesNotContain("pending:");
    }
}
