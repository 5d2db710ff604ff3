package dev.iucore.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.iucore.pipeline.testing.Cli;
import dev.iucore.pipeline.testing.DatabaseExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class RoutesValidateCommandTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static final String GOOD = """
            - route:
                id: ops-nightly-count
                description: counts the backlog at night
                from:
                  uri: quartz:ops/nightly-count
                  parameters:
                    cron: "0 0 2 * * ?"
                  steps:
                    - to: "sql:SELECT fn_iu_core_gate_open('delivery_enabled')"
                    - log: "delivery open at 02:00: ${body}"
            """;

    private Cli.Result iuCore(String... args) {
        return Cli.run(DB.db().settings(), args);
    }

    @Test
    void aDirectoryOfGoodFilesIsValid() throws Exception {
        Files.writeString(dir.resolve("nightly.yaml"), GOOD);
        Files.writeString(dir.resolve("notes.txt"), "not a route file, not read");
        Cli.Result result = iuCore("routes", "validate", dir.toString());
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo(dir.resolve("nightly.yaml") + ": ok (1 routes: ops-nightly-count)\n");
        assertThat(DB.db().query("SELECT outcome FROM iu_command_log WHERE command_name = 'routes validate' ORDER BY id DESC LIMIT 1"))
                .containsExactly(Map.of("outcome", "ok"));
    }

    @Test
    void eachErrorIsReportedWithFileAndLineAndTheExitCodeIs1() throws Exception {
        Path good = Files.writeString(dir.resolve("a-good.yaml"), GOOD);
        Path bad = Files.writeString(dir.resolve("b-bad.yaml"), GOOD.replace("ops-nightly-count", "ops-bad")
                .replace("quartz:ops/nightly-count", "file:/var/lib/iu-core").replace("sql:", "exec:"));
        Cli.Result result = iuCore("routes", "validate", dir.toString());
        assertThat(result.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(result.out()).isEqualTo(good + ": ok (1 routes: ops-nightly-count)\n"
                + bad + ":5: endpoint scheme `file` is not allowed in an ops route (file:/var/lib/iu-core);"
                + " allowed: timer, quartz, direct, seda, log, sql\n"
                + bad + ":9: endpoint scheme `exec` is not allowed in an ops route"
                + " (exec:SELECT fn_iu_core_gate_open('delivery_enabled')); allowed: timer, quartz, direct, seda, log, sql\n");
        assertThat(result.err()).contains("iu-core routes validate: 1 of 2 route files have errors; the service would reject them");
    }

    @Test
    void jsonListsEveryFileWithItsRoutesAndErrors() throws Exception {
        Path bad = Files.writeString(dir.resolve("broken.yaml"), "- route:\n    id: x\n   from: [\n");
        JsonNode report = JSON.readTree(iuCore("routes", "validate", bad.toString(), "--json").out());
        assertThat(report.get("valid").asBoolean()).isFalse();
        JsonNode file = report.get("files").get(0);
        assertThat(file.get("file").asText()).isEqualTo(bad.toString());
        assertThat(file.get("errors").get(0).get("line").asInt()).isEqualTo(3);
        assertThat(file.get("errors").get(0).get("message").asText()).startsWith("invalid YAML: ");
    }

    @Test
    void aPathThatDoesNotExistIsAUsageError() {
        Cli.Result result = iuCore("routes", "validate", dir.resolve("nope.yaml").toString());
        assertThat(result.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(result.err()).contains("no such file or directory: " + dir.resolve("nope.yaml"));
    }
}
