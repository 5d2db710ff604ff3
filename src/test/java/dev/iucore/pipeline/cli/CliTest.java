package dev.iucore.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.testing.Cli;
import dev.iucore.pipeline.testing.DatabaseExtension;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CliTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final ObjectMapper JSON = new ObjectMapper();

    @AfterEach
    void closeEveryGate() {
        DB.db().update("UPDATE iu_core_gate SET gate_value = CASE kind WHEN 'list' THEN '' ELSE 'false' END");
    }

    private static Cli.Result iuCore(String... args) {
        return Cli.run(DB.db().settings(), args);
    }

    private static void assertNoStackTrace(Cli.Result result) {
        assertThat(result.err()).doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(result.out()).doesNotContain("\tat ");
    }

    @Test
    void helpListsEveryCommandOfTheDesign() {
        Cli.Result result = iuCore("--help");
        assertThat(result.exitCode()).isZero();
        for (String command : List.of("run", "migrate", "gates", "routes", "retention", "scaleout", "rollback",
                "dead-letters", "verify", "matrix", "backup", "demo", "evidence", "log")) {
            assertThat(result.out()).containsPattern("(?m)^\\s+" + command + "\\s");
        }
        assertThat(iuCore("gates", "--help").out()).contains("list").contains("open").contains("close");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "frobnicate                                          | Unmatched argument",
        "gates                                               | needs a subcommand: list, open, close",
        "gates list --colour                                 | Unknown option: '--colour'",
        "gates open nope --actor ops --reason why            | expected one of: delivery_enabled",
        "gates open delivery_enabled --reason why            | Missing required option: '--actor=<actor>'",
        "gates open delivery_live_routes --actor a --reason r | is a list: give --value",
        "gates open delivery_enabled --value x --actor a --reason r | takes no --value",
        "migrate --rollback latest                           | --rollback expects a migration version",
        "scaleout --n many --templates t --actor a           | Invalid value for option '--n'",
        "retention --actor a                                 | Missing required argument",
        "retention --dry-run --apply --actor a               | mutually exclusive"
    })
    void aBadCommandLineIsAUsageErrorThatSaysWhatWasExpected(String commandLine, String expected) {
        long logged = DB.db().count("iu_command_log");
        Cli.Result result = iuCore(commandLine.trim().split("\\s+"));
        assertThat(result.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(result.err()).contains(expected);
        assertNoStackTrace(result);
        assertThat(DB.db().count("iu_command_log")).as("a usage error runs nothing").isEqualTo(logged);
        assertThat(DB.db().queryLong("SELECT count(*) FROM iu_core_gate WHERE fn_iu_core_gate_open(gate_name)")).isZero();
    }

    @Test
    void gatesListAsJsonHasOneObjectPerGate() throws Exception {
        Cli.Result result = iuCore("gates", "list", "--json");
        assertThat(result.exitCode()).isZero();
        JsonNode gates = JSON.readTree(result.out()).get("gates");
        assertThat(gates).hasSize(11);
        for (JsonNode gate : gates) {
            assertThat(gate.fieldNames()).toIterable().containsExactlyInAnyOrder(
                    "name", "kind", "value", "open", "description", "updated_at", "updated_by");
            assertThat(gate.get("open").isBoolean()).isTrue();
            assertThat(gate.get("open").asBoolean()).isFalse();
        }
        assertThat(gates.findValuesAsText("name")).contains("delivery_enabled", "delivery_live_routes");
    }

    @Test
    void gatesListAsATableShowsEveryGateClosed() {
        Cli.Result result = iuCore("gates", "list");
        assertThat(result.exitCode()).isZero();
        assertThat(result.out().lines().filter(l -> l.contains("| closed |"))).hasSize(11);
        assertThat(result.out()).startsWith("GATE");
    }

    @Test
    void openAndCloseAGateAreAuditedAndLogged() throws Exception {
        Cli.Result opened = iuCore("gates", "open", "delivery_enabled", "--actor", "ops-bob", "--reason", "go live", "--json");
        assertThat(opened.exitCode()).isZero();
        JsonNode change = JSON.readTree(opened.out());
        assertThat(change.get("gate").asText()).isEqualTo("delivery_enabled");
        assertThat(change.get("old_value").asText()).isEqualTo("false");
        assertThat(change.get("new_value").asText()).isEqualTo("true");
        assertThat(change.get("open").asBoolean()).isTrue();

        Cli.Result closed = iuCore("gates", "close", "delivery_enabled", "--actor", "ops-bob", "--reason", "incident 7");
        assertThat(closed.exitCode()).isZero();
        assertThat(closed.out()).contains("gate delivery_enabled: true -> false (closed)");

        assertThat(DB.db().query("""
                SELECT old_value, new_value, actor, reason FROM iu_core_gate_audit
                WHERE gate_name = 'delivery_enabled' ORDER BY id""")).containsExactly(
                Map.of("old_value", "false", "new_value", "true", "actor", "ops-bob", "reason", "go live"),
                Map.of("old_value", "true", "new_value", "false", "actor", "ops-bob", "reason", "incident 7"));
        Map<String, Object> logged = DB.db().query("""
                SELECT actor, arguments::text AS arguments, dry_run, outcome, exit_code, row_deltas::text AS row_deltas,
                       node, finished_at >= started_at AS timed, duration_ms >= 0 AS measured
                FROM iu_command_log WHERE command_name = 'gates close' ORDER BY id DESC LIMIT 1""").get(0);
        assertThat(logged).containsEntry("actor", "ops-bob")
                .containsEntry("arguments", "[\"gates\", \"close\", \"delivery_enabled\", \"--actor\", \"ops-bob\", \"--reason\", \"incident 7\"]")
                .containsEntry("dry_run", false)
                .containsEntry("outcome", "ok")
                .containsEntry("exit_code", 0)
                .containsEntry("row_deltas", "{\"iu_core_gate_audit\": 1}")
                .containsEntry("node", "test-node")
                .containsEntry("timed", true)
                .containsEntry("measured", true);
    }

    @Test
    void theLiveRoutesGateTakesAListOfRouteKeys() {
        assertThat(iuCore("gates", "open", "delivery_live_routes", "--value", "hook-a,hook-b",
                "--actor", "ops", "--reason", "pilot").exitCode()).isZero();
        assertThat(DB.db().queryValue("SELECT gate_value FROM iu_core_gate WHERE gate_name = 'delivery_live_routes'"))
                .isEqualTo("hook-a,hook-b");
        assertThat(iuCore("gates", "close", "delivery_live_routes", "--actor", "ops", "--reason", "end of pilot")
                .exitCode()).isZero();
        assertThat(DB.db().queryValue("SELECT gate_value FROM iu_core_gate WHERE gate_name = 'delivery_live_routes'"))
                .isEqualTo("");
    }

    @Test
    void readOnlyCommandsAreLoggedWithTheDefaultActor() {
        assertThat(iuCore("gates", "list").exitCode()).isZero();
        assertThat(DB.db().query("""
                SELECT actor, outcome FROM iu_command_log WHERE command_name = 'gates list' ORDER BY id DESC LIMIT 1"""))
                .containsExactly(Map.of("actor", System.getProperty("user.name"), "outcome", "ok"));
    }

    @Test
    void demoDataLoadsTwiceWithoutDuplicates() throws Exception {
        Cli.Result first = iuCore("demo", "load", "--json");
        assertThat(first.exitCode()).isZero();
        JsonNode added = JSON.readTree(first.out()).get("added");
        assertThat(added.get("information_unit").asLong()).isEqualTo(13);
        assertThat(added.get("iu_collection_template_registry").asLong()).isEqualTo(2);
        assertThat(added.get("iu_collection_template_version").asLong()).isEqualTo(4);

        Cli.Result second = iuCore("demo", "load", "--json");
        assertThat(second.exitCode()).isZero();
        assertThat(JSON.readTree(second.out()).get("added").elements()).toIterable()
                .allSatisfy(n -> assertThat(n.asLong()).isZero());
        assertThat(DB.db().count("information_unit")).isEqualTo(13);
        assertThat(DB.db().queryLong("SELECT sum(cardinality(piece_ids)) FROM iu_collection_template_version")).isEqualTo(21);
        assertThat(DB.db().queryLong("""
                SELECT count(*) FROM iu_collection_template_version v
                WHERE NOT EXISTS (SELECT 1 FROM unnest(v.piece_ids) p WHERE p NOT IN (SELECT id FROM information_unit))"""))
                .as("every template piece is an information unit").isEqualTo(4);
    }

    @Test
    void anUnreachableDatabaseIsAClearFailureNotAStackTrace() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Cli.Result result = Cli.run(DB.db().settings().with(Setting.DB_URL,
                "jdbc:postgresql://127.0.0.1:" + closedPort + "/iu_core?connectTimeout=2"), "gates", "list");
        assertThat(result.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(result.err()).contains("iu-core gates list: cannot reach the database")
                .contains("`gates list` is not recorded in iu_command_log: the database cannot be reached");
        assertNoStackTrace(result);
    }

    @Test
    void runWithBadSettingsNamesEveryMistakeAndStartsNothing() {
        long logBefore = DB.db().queryLong("SELECT coalesce(max(id), 0) FROM iu_command_log");
        Cli.Result result = Cli.run(DB.db().settings().with(Map.of(Setting.DELIVERY_WORKERS, "0",
                Setting.DELAYED_LANE_CRON, "every minute", Setting.LOG_FORMAT, "yaml",
                Setting.DELIVERY_ROUTE_CONCURRENCY, "256")), "run");
        assertThat(result.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(result.err()).contains("iu.delivery.workers (env IU_DELIVERY_WORKERS) must be from 1 to 500, not 0")
                .contains("iu.delayed-lane.cron (env IU_DELAYED_LANE_CRON) must be a Quartz cron expression")
                .contains("iu.log.format (env IU_LOG_FORMAT) must be one of text, json, not \"yaml\"");
        assertNoStackTrace(result);
        assertThat(DB.db().queryValue("SELECT string_agg(command_name || ':' || outcome, ',') FROM iu_command_log WHERE id > ?",
                logBefore)).as("the refused start, recorded as such").isEqualTo("run:error");

        Cli.Result window = Cli.run(DB.db().settings().with(Setting.DELIVERY_ROUTE_CONCURRENCY, "256"), "run");
        assertThat(window.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(window.err()).contains("iu.delivery.route-concurrency (256) must not exceed iu.delivery.route-concurrency-max (128)");
    }
}
