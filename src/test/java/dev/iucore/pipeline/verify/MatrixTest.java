package dev.iucore.pipeline.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.iucore.pipeline.cli.ExitCode;
import dev.iucore.pipeline.demo.DemoDataLoader;
import dev.iucore.pipeline.testing.Cli;
import dev.iucore.pipeline.testing.DatabaseExtension;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MatrixTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SURFACES = MatrixRecorder.WATCHED_TABLES.size() + 11;

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

    /** What a scaleout of 20 does: 5 instances of each of the 4 template versions, reusing their pieces. */
    private static void scaleoutOf20(String actor) {
        DB.db().update("""
                INSERT INTO iu_piece_collection (collection_key, title, template_id, template_version, piece_count,
                                                 envelope_digest, actor)
                SELECT ? || ':' || v.template_id || ':v' || v.version || ':' || s, 'instance', v.template_id, v.version,
                       cardinality(v.piece_ids), v.digest, ?
                FROM iu_collection_template_version v CROSS JOIN generate_series(1, 5) s""", actor, actor);
        DB.db().update("""
                INSERT INTO iu_piece_membership (collection_id, position, iu_id, actor)
                SELECT c.id, p.ord, p.iu, c.actor
                FROM iu_piece_collection c
                JOIN iu_collection_template_version v ON (v.template_id, v.version) = (c.template_id, c.template_version)
                CROSS JOIN unnest(v.piece_ids) WITH ORDINALITY AS p(iu, ord)
                WHERE c.actor = ?""", actor);
        DB.db().update("""
                INSERT INTO iu_collection_template_instance_lineage (collection_id, template_id, template_version, digest,
                                                                     digest_matches_template, actor, idempotency_key)
                SELECT id, template_id, template_version, envelope_digest, true, actor, md5(collection_key)
                FROM iu_piece_collection WHERE actor = ?""", actor);
        DB.db().update("""
                INSERT INTO iu_auto_instantiate_event_log (template_id, template_version, collection_id, idempotency_key,
                                                           outcome, actor)
                SELECT template_id, template_version, id, md5(collection_key), 'composed', actor
                FROM iu_piece_collection WHERE actor = ?""", actor);
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
                .containsPattern("(?m)^gate:delivery_enabled\\s+\\| 0$");
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
    void aScaleoutOf20DiffsAsExpectedWhereExpectedAndInvariantElsewhere() throws Exception {
        assertThat(iuCore("matrix", "snapshot", "--label", "pre-scaleout").exitCode()).isZero();
        scaleoutOf20("matrix-test-bulk");
        assertThat(iuCore("matrix", "snapshot", "--label", "post-scaleout").exitCode()).isZero();

        String expect = "iu_piece_collection=+20,iu_piece_membership=+105,iu_collection_template_instance_lineage=+20,"
                + "iu_auto_instantiate_event_log=+20";
        Cli.Result table = iuCore("matrix", "diff", "pre-scaleout", "post-scaleout", "--expect", expect);
        assertThat(table.exitCode()).as(table.out()).isZero();
        assertThat(table.out())
                .containsPattern("(?m)^SURFACE\\s+\\| pre-scaleout \\| post-scaleout \\| Δ\\s+\\| VERDICT")
                .containsPattern("(?m)^iu_piece_membership\\s+\\| \\d+\\s+\\| \\d+\\s+\\| \\+105 \\| expected")
                .containsPattern("(?m)^information_unit\\s+\\| 13\\s+\\| 13\\s+\\| 0\\s+\\| invariant")
                .containsPattern("(?m)^iu_command_log\\s+\\| \\d+\\s+\\| \\d+\\s+\\| \\+1\\s+\\| expected\\s+\\| every command is logged")
                .contains("matrix pre-scaleout -> post-scaleout: " + (SURFACES - 5) + " invariant, 5 expected, 0 unexpected: holds");

        // one instance short of what was asked for: say so
        Cli.Result short1 = iuCore("matrix", "diff", "pre-scaleout", "post-scaleout", "--json", "--expect",
                expect.replace("iu_piece_collection=+20", "iu_piece_collection=+21"));
        assertThat(short1.exitCode()).isEqualTo(ExitCode.FAILED);
        JsonNode diff = JSON.readTree(short1.out());
        assertThat(diff.get("holds").asBoolean()).isFalse();
        assertThat(row(diff, "iu_piece_collection").get("verdict").asText()).isEqualTo("unexpected");
        assertThat(row(diff, "iu_piece_collection").get("note").asText()).isEqualTo("expected +21, got +20: +1 did not happen");
        assertThat(row(diff, "iu_piece_collection").get("expected_delta").asLong()).isEqualTo(21);

        // a surface that moved without being expected to
        Cli.Result unasked = iuCore("matrix", "diff", "pre-scaleout", "post-scaleout", "--expect",
                "iu_piece_collection=+20,iu_piece_membership=+105");
        assertThat(unasked.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(unasked.out())
                .containsPattern("(?m)^iu_collection_template_instance_lineage\\s+\\| \\d+\\s+\\| \\d+\\s+\\| \\+20\\s+\\| unexpected \\| no change expected$")
                .contains("2 unexpected: does NOT hold");
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
        MatrixRecorder recorder = new MatrixRecorder(DB.db().runtime());
        AtomicInteger steps = new AtomicInteger();
        MatrixRecorder.Snapshot before = recorder.snapshot("api-before", "scaleout", "node-1", steps::incrementAndGet);
        assertThat(steps.get()).as("one progress step per surface").isEqualTo(SURFACES);
        assertThat(before.counts().keySet()).containsExactlyElementsOf(MatrixRecorder.SURFACES);

        scaleoutOf20("matrix-api-bulk");
        recorder.snapshot("api-after", "scaleout", "node-1");
        MatrixRecorder.Diff diff = recorder.diff("api-before", "api-after", MatrixExpectations.parse(java.util.List.of(
                "iu_piece_collection=+20", "iu_piece_membership=+105", "iu_collection_template_instance_lineage=+20",
                "iu_auto_instantiate_event_log=+20")));
        assertThat(diff.holds()).as("%s", diff.rows()).isTrue();
        assertThat(diff.count(MatrixRecorder.Verdict.EXPECTED)).as("no command ran in between: the log did not move").isEqualTo(4);

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
