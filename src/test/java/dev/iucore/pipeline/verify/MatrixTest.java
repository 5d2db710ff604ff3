package dev.iucore.pipeline.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.iucore.pipeline.cli.ExitCode;
import dev.iucore.pipeline.demo.DemoDataLoader;
import dev.iucore.pipeline.testing.Cli;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.scaleout.ScaleoutBatch;
import dev.iucore.pipeline.scaleout.ScaleoutRunner;
import dev.iucore.pipeline.scaleout.TemplateVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MatrixTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The tables, 11 gates, 2 conformance and 2 boundary rows. */
    private static final int SURFACES = MatrixRecorder.WATCHED_TABLES.size() + 11 + 4;

    @BeforeAll
    static void demoData() throws SQLException {
        new DemoDataLoader(DB.db().runtime()).load();
    }

    @AfterEach
    void closeEveryGate() {
        DB.db().update("UPDATE iu_core_gate SET gate_value = CASE kind WHEN 'list' THEN '' ELSE 'false' END");
    }

    private static Cli.Result iuCore(String... args) {
        return Cli.run(DB.db().settings(), args);
    }

    private static final String MIX =
            "tpl:file:status-report/v1,tpl:file:status-report/v2,tpl:wf:onboarding/v1,tpl:wf:onboarding/v2";
    private static final String EXPECT_20 = "iu_piece_collection=+20,iu_piece_membership=+105,"
            + "iu_collection_template_instance_lineage=+20,iu_auto_instantiate_event_log=+20,event_outbox=+20";

    /**
     * A real scaleout of 20 through the Java API the command uses: 5 instances of each of the 4
     * template versions. Gate scaleout_enabled must be open.
     */
    private static void scaleoutOf20(String actor) throws SQLException {
        new ScaleoutRunner(DB.db().runtime()).run(ScaleoutBatch.of(actor, 20, TemplateVersion.parseList(MIX), null), n -> { });
    }

    /**
     * The README's "Regression matrix" block, command by command: {@code iu-core} lines only,
     * continuation lines joined, double-quoted words kept whole.
     */
    private static List<List<String>> documentedProcedure() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        String section = readme.substring(readme.indexOf("### Regression matrix"));
        String block = section.substring(section.indexOf("```bash\n") + 8, section.indexOf("```\n", section.indexOf("```bash\n") + 8));
        List<List<String>> commands = new ArrayList<>();
        for (String line : block.replace("\\\n", " ").split("\n")) {
            String command = line.replaceFirst("\\s+#.*$", "").trim();
            if (!command.startsWith("iu-core ")) {
                continue;
            }
            List<String> words = new ArrayList<>();
            Matcher word = Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(command.substring("iu-core ".length()));
            while (word.find()) {
                words.add(word.group(1) != null ? word.group(1) : word.group(2));
            }
            commands.add(words);
        }
        return commands;
    }

    private static JsonNode row(JsonNode diff, String surface) {
        for (JsonNode row : diff.get("rows")) {
            if (row.get("surface").asText().equals(surface)) {
                return row;
            }
        }
        throw new AssertionError("no row " + surface + " in " + diff);
    }

    @Test
    void aSnapshotRecordsEveryTableOfTheDataModelAndEveryGate() {
        Cli.Result result = iuCore("matrix", "snapshot", "--label", "counts", "--actor", "ops-ann");
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).startsWith("SURFACE").contains("snapshot counts: " + SURFACES + " surfaces")
                .containsPattern("(?m)^information_unit\\s+\\| 13$")
                .containsPattern("(?m)^gate:delivery_enabled\\s+\\| 0$")
                .containsPattern("(?m)^conformance:categories_passing\\s+\\| 13$")
                .containsPattern("(?m)^conformance:deviations\\s+\\| 0$")
                .containsPattern("(?m)^boundary:internal_only_holds\\s+\\| 1$")
                .containsPattern("(?m)^boundary:min_layers_holding\\s+\\| 3$");
        assertThat(result.err()).as("no progress bar without a terminal").isEmpty();

        assertThat(DB.db().queryLong("""
                SELECT count(*) FROM iu_core_matrix_count c JOIN iu_core_matrix_snapshot s ON s.id = c.snapshot_id
                WHERE s.label = 'counts'""")).isEqualTo(SURFACES);
        for (String table : MatrixRecorder.WATCHED_TABLES) {
            long recorded = DB.db().queryLong("""
                    SELECT row_count FROM iu_core_matrix_count c JOIN iu_core_matrix_snapshot s ON s.id = c.snapshot_id
                    WHERE s.label = 'counts' AND c.surface = ?""", table);
            long now = DB.db().count(table);
            // the command log has gained the snapshot's own row since
            assertThat(recorded).as(table).isEqualTo(table.equals("iu_command_log") ? now - 1 : now);
        }
        assertThat(DB.db().query("SELECT actor, node FROM iu_core_matrix_snapshot WHERE label = 'counts'"))
                .containsExactly(Map.of("actor", "ops-ann", "node", "test-node"));
        assertThat(DB.db().queryValue("""
                SELECT row_deltas::text FROM iu_command_log WHERE command_name = 'matrix snapshot' AND actor = 'ops-ann'"""))
                .isEqualTo("{\"iu_core_matrix_count\": " + SURFACES + ", \"iu_core_matrix_snapshot\": 1}");
    }

    @Test
    void theReadmesScaleoutProcedureHoldsOnARealScaleout() throws Exception {
        List<List<String>> procedure = documentedProcedure();
        assertThat(procedure).extracting(c -> c.get(0) + " " + c.get(1)).containsExactly("gates open", "matrix snapshot",
                "scaleout --n", "matrix snapshot", "matrix diff", "gates close");
        long events = DB.db().count("event_outbox");
        Cli.Result diff = null;
        for (List<String> command : procedure) {
            Cli.Result result = iuCore(command.toArray(String[]::new));
            assertThat(result.exitCode()).as("%s: %s%s", command, result.out(), result.err()).isZero();
            if (command.get(1).equals("diff")) {
                diff = result;
            }
        }
        // a real batch: its outbox events are there, one per instance
        assertThat(DB.db().queryLong("SELECT count(*) FROM iu_piece_collection WHERE actor = 'scaleout-4711'")).isEqualTo(20);
        assertThat(DB.db().queryLong("""
                SELECT count(*) FROM event_outbox WHERE actor = 'scaleout-4711' AND event_type = 'iu.template.instance_auto_composed'"""))
                .isEqualTo(20);
        assertThat(DB.db().count("event_outbox")).isEqualTo(events + 20);
        assertThat(diff.out())
                .containsPattern("(?m)^event_outbox\\s+\\| \\d+\\s+\\| \\d+\\s+\\| \\+20\\s+\\| expected")
                .containsPattern("(?m)^iu_piece_membership\\s+\\| \\d+\\s+\\| \\d+\\s+\\| \\+105 \\| expected")
                .containsPattern("(?m)^information_unit\\s+\\| 13\\s+\\| 13\\s+\\| 0\\s+\\| invariant")
                .containsPattern("(?m)^conformance:deviations\\s+\\| 0\\s+\\| 0\\s+\\| 0\\s+\\| invariant")
                .containsPattern("(?m)^boundary:internal_only_holds\\s+\\| 1\\s+\\| 1\\s+\\| 0\\s+\\| invariant")
                .containsPattern("(?m)^boundary:min_layers_holding\\s+\\| 3\\s+\\| 3\\s+\\| 0\\s+\\| invariant")
                .containsPattern("(?m)^iu_command_log\\s+\\| \\d+\\s+\\| \\d+\\s+\\| \\+2\\s+\\| expected\\s+\\| every command is logged")
                .contains("matrix pre-scaleout-4711 -> post-scaleout-4711: " + (SURFACES - 6) + " invariant, 6 expected, 0 unexpected: holds");

        // what the README expected before: no event_outbox change; a real scaleout has one
        Cli.Result old = iuCore("matrix", "diff", "pre-scaleout-4711", "post-scaleout-4711", "--expect",
                EXPECT_20.replace(",event_outbox=+20", ""));
        assertThat(old.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(old.out()).containsPattern("(?m)^event_outbox\\s+\\| \\d+\\s+\\| \\d+\\s+\\| \\+20\\s+\\| unexpected \\| no change expected$");

        // one instance short of what was asked for: say so
        Cli.Result short1 = iuCore("matrix", "diff", "pre-scaleout-4711", "post-scaleout-4711", "--json", "--expect",
                EXPECT_20.replace("iu_piece_collection=+20", "iu_piece_collection=+21"));
        assertThat(short1.exitCode()).isEqualTo(ExitCode.FAILED);
        JsonNode json = JSON.readTree(short1.out());
        assertThat(json.get("holds").asBoolean()).isFalse();
        assertThat(row(json, "iu_piece_collection").get("verdict").asText()).isEqualTo("unexpected");
        assertThat(row(json, "iu_piece_collection").get("note").asText()).isEqualTo("expected +21, got +20: +1 did not happen");
        assertThat(row(json, "iu_piece_collection").get("expected_delta").asLong()).isEqualTo(21);
    }

    @Test
    void aBrokenBoundaryBetweenSnapshotsIsAnUnexpectedRow() throws Exception {
        assertThat(iuCore("matrix", "snapshot", "--label", "boundary-before").exitCode()).isZero();
        DB.db().update("UPDATE event_type_registry SET delivery_lane = 'live' WHERE event_type = 'iu.template.instance_auto_composed'");
        try {
            assertThat(iuCore("matrix", "snapshot", "--label", "boundary-after").exitCode()).isZero();
        } finally {
            DB.db().update("UPDATE event_type_registry SET delivery_lane = 'delayed' WHERE event_type = 'iu.template.instance_auto_composed'");
        }
        Cli.Result result = iuCore("matrix", "diff", "boundary-before", "boundary-after", "--json");
        assertThat(result.exitCode()).isEqualTo(ExitCode.FAILED);
        JsonNode diff = JSON.readTree(result.out());
        assertThat(row(diff, "boundary:internal_only_holds").get("delta").asLong()).isEqualTo(-1);
        assertThat(row(diff, "boundary:internal_only_holds").get("verdict").asText()).isEqualTo("unexpected");
        assertThat(row(diff, "boundary:min_layers_holding").get("after").asLong()).isEqualTo(2);
    }

    @Test
    void theTestOutcomeIsRecordedFromTheBuildsReportsWhereKnown(@TempDir Path reports) throws Exception {
        Files.writeString(reports.resolve("TEST-a.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <testsuite name="a" tests="5" failures="1" errors="0" skipped="1"><testcase name="x"/></testsuite>""");
        Files.writeString(reports.resolve("TEST-b.xml"), """
                <testsuite name="b" tests="3" failures="0" errors="1" skipped="0"/>""");
        Files.writeString(reports.resolve("not-a-report.txt"), "ignored");
        assertThat(iuCore("matrix", "snapshot", "--label", "tests-before", "--test-reports", reports.toString()).exitCode())
                .isZero();
        Files.writeString(reports.resolve("TEST-b.xml"), """
                <testsuite name="b" tests="3" failures="0" errors="0" skipped="0"/>""");
        Cli.Result after = iuCore("matrix", "snapshot", "--label", "tests-after", "--test-reports", reports.toString());
        assertThat(after.out()).containsPattern("(?m)^tests:passed\\s+\\| 6$").containsPattern("(?m)^tests:failed\\s+\\| 1$");

        JsonNode diff = JSON.readTree(iuCore("matrix", "diff", "tests-before", "tests-after", "--json").out());
        assertThat(row(diff, "tests:passed").get("before").asLong()).isEqualTo(5);
        assertThat(row(diff, "tests:failed").get("before").asLong()).isEqualTo(2);
        assertThat(row(diff, "tests:failed").get("verdict").asText()).isEqualTo("unexpected");
        assertThat(iuCore("matrix", "diff", "tests-before", "tests-after", "--expect", "tests:passed=+1,tests:failed=-1")
                .exitCode()).isZero();

        // known on one side only: said so
        assertThat(iuCore("matrix", "snapshot", "--label", "tests-unknown").exitCode()).isZero();
        JsonNode unknown = JSON.readTree(iuCore("matrix", "diff", "tests-after", "tests-unknown", "--json").out());
        assertThat(row(unknown, "tests:passed").get("note").asText()).isEqualTo("not recorded in tests-unknown");
    }

    @Test
    void testReportsThatCannotBeReadAreUsageErrorsAndNoSnapshotIsTaken(@TempDir Path dir) throws Exception {
        long snapshots = DB.db().count("iu_core_matrix_snapshot");
        Path empty = Files.createDirectory(dir.resolve("empty"));
        Path broken = Files.createDirectory(dir.resolve("broken"));
        Files.writeString(broken.resolve("TEST-x.xml"), "<testsuite tests=\"many\"/>");
        Path other = Files.createDirectory(dir.resolve("other"));
        Files.writeString(other.resolve("TEST-y.xml"), "<html/>");
        Map<Path, String> cases = Map.of(dir.resolve("missing"), "is not a directory",
                empty, "holds no TEST-*.xml report",
                broken, "tests=\"many\" is not a whole number",
                other, "is not a JUnit report");
        for (Map.Entry<Path, String> c : cases.entrySet()) {
            Cli.Result result = iuCore("matrix", "snapshot", "--label", "never", "--test-reports", c.getKey().toString());
            assertThat(result.exitCode()).as(c.getKey().toString()).isEqualTo(ExitCode.USAGE);
            assertThat(result.err()).contains(c.getValue()).doesNotContain("\tat ");
        }
        assertThat(DB.db().count("iu_core_matrix_snapshot")).isEqualTo(snapshots);
    }

    @Test
    void aGateOpenedBetweenSnapshotsIsUnexpectedUnlessExpected() throws Exception {
        assertThat(iuCore("matrix", "snapshot", "--label", "gates-before").exitCode()).isZero();
        assertThat(iuCore("gates", "open", "retention_enabled", "--actor", "ops", "--reason", "test").exitCode()).isZero();
        assertThat(iuCore("matrix", "snapshot", "--label", "gates-after").exitCode()).isZero();

        JsonNode diff = JSON.readTree(iuCore("matrix", "diff", "gates-before", "gates-after", "--json").out());
        assertThat(row(diff, "gate:retention_enabled").get("before").asLong()).isZero();
        assertThat(row(diff, "gate:retention_enabled").get("after").asLong()).isEqualTo(1);
        assertThat(row(diff, "gate:retention_enabled").get("verdict").asText()).isEqualTo("unexpected");
        assertThat(row(diff, "iu_core_gate_audit").get("verdict").asText()).isEqualTo("unexpected");
        assertThat(row(diff, "iu_command_log").get("delta").asLong()).as("snapshot and gates open").isEqualTo(2);

        assertThat(iuCore("matrix", "diff", "gates-before", "gates-after",
                "--expect", "gate:retention_enabled=+1,iu_core_gate_audit=+1").exitCode()).isZero();
    }

    @Test
    void aTakenLabelIsRefusedAndTheFirstSnapshotStays() {
        assertThat(iuCore("matrix", "snapshot", "--label", "once").exitCode()).isZero();
        long firstId = DB.db().queryLong("SELECT id FROM iu_core_matrix_snapshot WHERE label = 'once'");

        Cli.Result again = iuCore("matrix", "snapshot", "--label", "once");
        assertThat(again.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(again.err()).contains("iu-core matrix snapshot: a snapshot labelled \"once\" exists (taken ")
                .contains("labels are unique: choose another");
        assertThat(DB.db().query("SELECT id FROM iu_core_matrix_snapshot WHERE label = 'once'"))
                .containsExactly(Map.of("id", firstId));
        assertThat(DB.db().queryLong("SELECT count(*) FROM iu_core_matrix_count WHERE snapshot_id = ?", firstId))
                .isEqualTo(SURFACES);
        assertThat(DB.db().queryValue("""
                SELECT outcome FROM iu_command_log WHERE command_name = 'matrix snapshot' ORDER BY id DESC LIMIT 1"""))
                .isEqualTo("refused");
    }

    @Test
    void anUnknownLabelIsAClearFailureNamingTheKnownOnes() {
        assertThat(iuCore("matrix", "snapshot", "--label", "known-one").exitCode()).isZero();
        Cli.Result result = iuCore("matrix", "diff", "known-one", "never-taken");
        assertThat(result.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(result.err()).contains("iu-core matrix diff: no snapshot labelled \"never-taken\"; the newest are: ")
                .contains("known-one")
                .doesNotContain("Exception");
        assertThat(result.out()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "matrix diff a b --expect iu_piece_collection           | must be <surface>=<delta> with a whole number",
        "matrix diff a b --expect iu_piece_collection=+x        | --expect item \"iu_piece_collection=+x\" must be",
        "matrix diff a b --expect =+1                           | --expect item \"=+1\" must be",
        "matrix diff a b --expect no_such_table=+1              | --expect names unknown surface \"no_such_table\"; surfaces: event_outbox",
        "matrix diff a b --expect event_outbox=1,event_outbox=2 | --expect names \"event_outbox\" twice",
        "matrix snapshot --label bad/label                      | snapshot label \"bad/label\" must be",
        "matrix snapshot                                        | Missing required option: '--label=<label>'",
        "matrix diff onlyone                                    | Missing required parameter: '<after>'"
    })
    void malformedArgumentsAreUsageErrors(String commandLine, String expected) {
        long snapshots = DB.db().count("iu_core_matrix_snapshot");
        long logged = DB.db().count("iu_command_log");
        Cli.Result result = iuCore(commandLine.trim().split("\\s+"));
        assertThat(result.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(result.err()).contains(expected).doesNotContain("\tat ");
        assertThat(DB.db().count("iu_core_matrix_snapshot")).isEqualTo(snapshots);
        assertThat(DB.db().count("iu_command_log")).as("a usage error runs nothing").isEqualTo(logged);
    }

    @Test
    void batchCommandsRecordAndDiffThroughTheJavaApi() throws Exception {
        DB.db().update("UPDATE iu_core_gate SET gate_value = 'true' WHERE gate_name = 'scaleout_enabled'");
        MatrixRecorder recorder = new MatrixRecorder(DB.db().runtime());
        AtomicInteger steps = new AtomicInteger();
        MatrixRecorder.Snapshot before = recorder.snapshot("api-before", "scaleout", "node-1", steps::incrementAndGet);
        assertThat(steps.get()).as("one progress step per surface").isEqualTo(SURFACES);
        assertThat(before.counts().keySet()).containsExactlyElementsOf(MatrixRecorder.SURFACES);

        scaleoutOf20("matrix-api-bulk");
        recorder.snapshot("api-after", "scaleout", "node-1");
        MatrixRecorder.Diff diff = recorder.diff("api-before", "api-after", MatrixExpectations.parse(List.of(EXPECT_20.split(","))));
        assertThat(diff.holds()).as("%s", diff.rows()).isTrue();
        assertThat(diff.count(MatrixRecorder.Verdict.EXPECTED)).as("no command ran in between: the log did not move").isEqualTo(5);

        assertThatThrownBy(() -> recorder.snapshot("api-before", "scaleout", "node-1"))
                .isInstanceOf(MatrixException.class).hasMessageContaining("labels are unique");
        assertThatThrownBy(() -> recorder.find("api-nope"))
                .isInstanceOf(MatrixException.class).hasMessageContaining("no snapshot labelled \"api-nope\"");
    }

    @Test
    void theRuntimeRoleCannotRewriteOrRemoveASnapshot() throws Exception {
        new MatrixRecorder(DB.db().runtime()).snapshot("evidence", "ops", "node-1");
        try (Connection c = DB.db().runtime().getConnection(); Statement s = c.createStatement()) {
            for (String sql : new String[] {
                "UPDATE iu_core_matrix_count SET row_count = 0",
                "DELETE FROM iu_core_matrix_count",
                "DELETE FROM iu_core_matrix_snapshot WHERE label = 'evidence'"}) {
                assertThatThrownBy(() -> s.execute(sql)).isInstanceOf(SQLException.class)
                        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42501"));
            }
        }
        assertThat(DB.db().queryLong("""
                SELECT count(*) FROM iu_core_matrix_count c JOIN iu_core_matrix_snapshot s ON s.id = c.snapshot_id
                WHERE s.label = 'evidence'""")).isEqualTo(SURFACES);
    }
}
