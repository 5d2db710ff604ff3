package dev.iucore.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.iucore.pipeline.testing.Cli;
import dev.iucore.pipeline.testing.DatabaseExtension;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LogCommandTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Cli.Result iuCore(String... args) {
        return Cli.run(DB.db().settings(), args);
    }

    /** The same short history before every test: the tests' own `log` calls are recorded too. */
    @BeforeEach
    void someHistory() {
        DB.db().update("TRUNCATE iu_command_log");
        iuCore("gates", "list");
        iuCore("gates", "open", "retention_enabled", "--actor", "ops-ann", "--reason", "window 1");
        iuCore("gates", "close", "retention_enabled", "--actor", "ops-ann", "--reason", "window 1 over");
        iuCore("gates", "open", "scaleout_enabled", "--actor", "ops-bob", "--reason", "batch 7");
        iuCore("matrix", "diff", "no-such", "snapshot");
    }

    @AfterEach
    void closeEveryGate() {
        DB.db().update("UPDATE iu_core_gate SET gate_value = CASE kind WHEN 'list' THEN '' ELSE 'false' END");
    }

    @Test
    void theLogListsInvocationsNewestFirst() throws Exception {
        Cli.Result result = iuCore("log", "--limit", "3", "--json");
        assertThat(result.exitCode()).isZero();
        JsonNode entries = JSON.readTree(result.out()).get("entries");
        assertThat(entries).hasSize(3);
        assertThat(entries.findValuesAsText("command")).containsExactly("matrix diff", "gates open", "gates close");
        List<Long> ids = new ArrayList<>();
        entries.forEach(e -> ids.add(e.get("id").asLong()));
        assertThat(ids).isSortedAccordingTo((a, b) -> Long.compare(b, a));

        JsonNode failed = entries.get(0);
        assertThat(failed.get("outcome").asText()).isEqualTo("failed");
        assertThat(failed.get("exit_code").asInt()).isEqualTo(1);
        assertThat(failed.get("message").asText()).startsWith("no snapshot labelled \"no-such\"");
        assertThat(entries.get(1).get("arguments")).hasSize(7);
        assertThat(entries.get(1).get("arguments").get(2).asText()).isEqualTo("scaleout_enabled");
        assertThat(entries.get(1).get("actor").asText()).isEqualTo("ops-bob");
        assertThat(entries.get(1).get("db_user").asText()).as("who wrote it, beside whom it claims").isEqualTo("iu_core_app");
        assertThat(entries.get(1).get("row_deltas").get("iu_core_gate_audit").asInt()).isEqualTo(1);
        assertThat(entries.get(1).get("node").asText()).isEqualTo("test-node");
    }

    @Test
    void theLogFiltersByCommandName() throws Exception {
        JsonNode entries = JSON.readTree(iuCore("log", "--command", "gates open", "--json").out()).get("entries");
        assertThat(entries.findValuesAsText("command")).containsExactly("gates open", "gates open");
        assertThat(entries.findValuesAsText("actor")).containsExactly("ops-bob", "ops-ann");
    }

    @Test
    void theLogIsATableByDefault() {
        Cli.Result result = iuCore("log", "--command", "gates close");
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).startsWith("ID ").contains("| STARTED").contains("| COMMAND")
                .containsPattern("(?m)^\\d+\\s+\\| \\S+\\s+\\| gates close \\| ops-ann \\| ok\\s+\\| 0\\s+\\| \\d+\\s+\\| "
                        + "gates close retention_enabled --actor ops-ann --reason window 1 over \\|");
        assertThat(result.out().lines()).hasSize(3);
    }

    @Test
    void aBadLimitOrAnUnknownCommandIsAUsageError() {
        Cli.Result zero = iuCore("log", "--limit", "0");
        assertThat(zero.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(zero.err()).contains("--limit must be 1 or more, not 0");

        Cli.Result unknown = iuCore("log", "--command", "gate open");
        assertThat(unknown.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(unknown.err()).contains("--command \"gate open\" is not a command of the catalog");
    }
}
