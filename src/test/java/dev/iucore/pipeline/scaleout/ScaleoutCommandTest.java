package dev.iucore.pipeline.scaleout;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.iucore.pipeline.cli.ExitCode;
import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.demo.DemoDataLoader;
import dev.iucore.pipeline.testing.Cli;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.SystemTools;
import dev.iucore.pipeline.testing.TestDb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code iu-core scaleout} on the demo templates (4 versions of 4, 5, 6 and 6 pieces). */
class ScaleoutCommandTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    static final String MIX = "tpl:file:status-report/v1,tpl:file:status-report/v2,tpl:wf:onboarding/v1,tpl:wf:onboarding/v2";
    static final List<String> SURFACES = List.of("information_unit", "iu_piece_collection", "iu_piece_membership",
            "iu_collection_template_instance_lineage", "iu_auto_instantiate_event_log", "event_outbox");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACTOR = "iu-core-50000x-bulk";

    @BeforeAll
    static void demoTemplates() throws Exception {
        new DemoDataLoader(DB.db().runtime()).load();
    }

    @BeforeEach
    void noInstancesAndEveryGateClosed() {
        TestDb db = DB.db();
        db.update("DELETE FROM iu_auto_instantiate_event_log");
        db.update("DELETE FROM iu_piece_collection");
        db.update("DELETE FROM event_outbox");
        db.update("UPDATE iu_core_gate SET gate_value = CASE kind WHEN 'list' THEN '' ELSE 'false' END");
    }

    private static Cli.Result iuCore(String... args) {
        return Cli.run(DB.db().settings(), args);
    }

    private static Map<String, Long> counts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        SURFACES.forEach(table -> counts.put(table, DB.db().count(table)));
        return counts;
    }

    private static void openScaleoutGate() {
        assertThat(iuCore("gates", "open", "scaleout_enabled", "--actor", "ops", "--reason", "scaleout test").exitCode())
                .isZero();
    }

    private static List<Map<String, Object>> gates() {
        return DB.db().query("""
                SELECT gate_name, gate_value, fn_iu_core_gate_open(gate_name) AS open FROM iu_core_gate ORDER BY gate_name""");
    }

    @Test
    void twentyInstancesOnTheDemoTemplatesReuseTheTemplatePiecesAndLeaveEveryGateAsItWas() throws Exception {
        openScaleoutGate();
        Map<String, Long> before = counts();
        List<Map<String, Object>> gatesBefore = gates();
        long auditBefore = DB.db().count("iu_core_gate_audit");

        Cli.Result result = iuCore("scaleout", "--n", "20", "--templates", MIX, "--actor", ACTOR, "--json");

        assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCode.OK);
        Map<String, Long> after = counts();
        assertThat(after.get("information_unit") - before.get("information_unit")).as("no new information unit").isZero();
        assertThat(after.get("iu_piece_collection") - before.get("iu_piece_collection")).isEqualTo(20);
        assertThat(after.get("iu_collection_template_instance_lineage") - before.get("iu_collection_template_instance_lineage"))
                .isEqualTo(20);
        assertThat(after.get("iu_auto_instantiate_event_log") - before.get("iu_auto_instantiate_event_log")).isEqualTo(20);
        // 5 instances each of 4, 5, 6 and 6 pieces
        assertThat(after.get("iu_piece_membership") - before.get("iu_piece_membership")).isEqualTo(105);
        assertThat(DB.db().query("""
                SELECT event_type, actor, status, count(*) AS events FROM event_outbox GROUP BY event_type, actor, status"""))
                .containsExactly(Map.of("event_type", "iu.template.instance_auto_composed", "actor", ACTOR,
                        "status", "pending", "events", 20L));

        assertThat(DB.db().query("""
                SELECT template_id || '/v' || template_version AS template, count(*) AS instances,
                       bool_and(digest_matches_template) AS all_match, count(DISTINCT actor) AS actors,
                       count(DISTINCT idempotency_key) AS keys
                  FROM iu_collection_template_instance_lineage GROUP BY 1 ORDER BY 1""")).containsExactly(
                Map.of("template", "tpl:file:status-report/v1", "instances", 5L, "all_match", true, "actors", 1L, "keys", 5L),
                Map.of("template", "tpl:file:status-report/v2", "instances", 5L, "all_match", true, "actors", 1L, "keys", 5L),
                Map.of("template", "tpl:wf:onboarding/v1", "instances", 5L, "all_match", true, "actors", 1L, "keys", 5L),
                Map.of("template", "tpl:wf:onboarding/v2", "instances", 5L, "all_match", true, "actors", 1L, "keys", 5L));
        assertThat(DB.db().queryLong("""
                SELECT count(*) FROM iu_piece_collection c
                  JOIN iu_collection_template_version v ON (v.template_id, v.version) = (c.template_id, c.template_version)
                 WHERE c.actor = ?
                   AND (SELECT array_agg(m.iu_id ORDER BY m.position) FROM iu_piece_membership m WHERE m.collection_id = c.id)
                       = v.piece_ids""", ACTOR)).as("every instance holds exactly its template's pieces, in order").isEqualTo(20);
        assertThat(DB.db().queryLong("SELECT count(*) FROM iu_piece_membership WHERE actor <> ?", ACTOR)).isZero();
        assertThat(DB.db().queryLong("""
                SELECT count(*) FROM iu_collection_template_instance_lineage l
                  JOIN iu_auto_instantiate_event_log g ON g.collection_id = l.collection_id AND g.idempotency_key = l.idempotency_key
                  JOIN event_outbox e ON e.aggregate_id = l.collection_id::text AND e.payload ->> 'idempotency_key' = l.idempotency_key
                 WHERE g.outcome = 'composed' AND l.event_id = g.source_event_id""")).isEqualTo(20);

        // the in-transaction toggle left no trace: same values, same audit trail
        assertThat(gates()).isEqualTo(gatesBefore);
        assertThat(DB.db().count("iu_core_gate_audit")).isEqualTo(auditBefore);

        JsonNode json = JSON.readTree(result.out());
        assertThat(json.get("composed").asLong()).isEqualTo(20);
        assertThat(json.get("already_composed").asLong()).isZero();
        assertThat(json.get("memberships").asLong()).isEqualTo(105);
        assertThat(json.get("digest_mismatches").asLong()).isZero();
        assertThat(DB.db().queryValue("""
                SELECT row_deltas::text FROM iu_command_log WHERE command_name = 'scaleout' ORDER BY id DESC LIMIT 1"""))
                .isEqualTo("{\"event_outbox\": 20, \"information_unit\": 0, \"iu_piece_collection\": 20, "
                        + "\"iu_piece_membership\": 105, \"iu_auto_instantiate_event_log\": 20, "
                        + "\"iu_collection_template_instance_lineage\": 20}");
    }

    @Test
    void theSameBatchRunTwiceComposesNothingTheSecondTimeAndSaysSo() {
        openScaleoutGate();
        assertThat(iuCore("scaleout", "--n", "20", "--templates", MIX, "--actor", ACTOR).exitCode()).isZero();
        Map<String, Long> afterFirst = counts();

        Cli.Result again = iuCore("scaleout", "--n", "20", "--templates", MIX, "--actor", ACTOR);

        assertThat(again.exitCode()).as(again.err()).isEqualTo(ExitCode.OK);
        assertThat(again.out()).contains("composed 0 of 20 instances")
                .contains("20 already composed by an earlier run of this batch")
                .contains("nothing new: this batch has been run before");
        assertThat(counts()).isEqualTo(afterFirst);
    }

    @Test
    void underOneBatchIdALargerCountComposesOnlyTheNewInstances() {
        openScaleoutGate();
        assertThat(iuCore("scaleout", "--n", "4", "--templates", MIX, "--actor", ACTOR, "--batch-id", "change-4711")
                .exitCode()).isZero();

        Cli.Result more = iuCore("scaleout", "--n", "6", "--templates", MIX, "--actor", ACTOR, "--batch-id", "change-4711");

        assertThat(more.out()).contains("composed 2 of 6 instances").contains("4 already composed");
        assertThat(DB.db().count("iu_collection_template_instance_lineage")).isEqualTo(6);
        // another name is another batch
        assertThat(iuCore("scaleout", "--n", "4", "--templates", MIX, "--actor", ACTOR, "--batch-id", "change-4712")
                .out()).contains("composed 4 of 4 instances");
    }

    @Test
    void aClosedScaleoutGateRefusesWithExit1AndWritesNothing() {
        Map<String, Long> before = counts();
        long runsBefore = DB.db().count("iu_core_batch_run");

        Cli.Result result = iuCore("scaleout", "--n", "20", "--templates", MIX, "--actor", ACTOR, "--evidence");

        assertThat(result.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(result.err()).contains("iu-core scaleout: gate scaleout_enabled is closed: the batch composed nothing");
        assertThat(counts()).isEqualTo(before);
        assertThat(DB.db().count("iu_core_batch_run")).as("a refusal records no evidence").isEqualTo(runsBefore);
        assertThat(DB.db().query("""
                SELECT outcome, exit_code FROM iu_command_log WHERE command_name = 'scaleout' ORDER BY id DESC LIMIT 1"""))
                .containsExactly(Map.of("outcome", "refused", "exit_code", 1));
    }

    @Test
    void aDryRunShowsWhatItWouldComposeAndWritesNothing() {
        openScaleoutGate();
        assertThat(iuCore("scaleout", "--n", "4", "--templates", MIX, "--actor", ACTOR, "--batch-id", "b").exitCode()).isZero();
        Map<String, Long> before = counts();

        Cli.Result result = iuCore("scaleout", "--n", "20", "--templates", MIX, "--actor", ACTOR, "--batch-id", "b",
                "--dry-run");

        assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCode.OK);
        assertThat(result.out()).containsPattern("(?m)^tpl:wf:onboarding/v2 +\\| 6 +\\| 5 +\\| 4 +\\| 1 +\\| 24$")
                .contains("would compose 16 of 20 instances, 84 memberships");
        assertThat(counts()).isEqualTo(before);
    }

    @Test
    void aDryRunNeedsNoGate() {
        Cli.Result result = iuCore("scaleout", "--n", "2", "--templates", MIX, "--actor", ACTOR, "--dry-run");
        assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCode.OK);
        assertThat(result.out()).contains("would compose 2 of 2 instances, 9 memberships");
    }

    @Test
    void badInputIsAClearErrorAndLosesNothing() {
        openScaleoutGate();
        assertThat(iuCore("scaleout", "--n", "4", "--templates", MIX, "--actor", ACTOR).exitCode()).isZero();
        Map<String, Long> before = counts();

        Cli.Result unknown = iuCore("scaleout", "--n", "4", "--templates", "tpl:file:status-report/v9,tpl:wf:onboarding/v1",
                "--actor", ACTOR);
        assertThat(unknown.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(unknown.err()).contains("template version tpl:file:status-report/v9 does not exist; published: "
                + "tpl:file:status-report/v1, tpl:file:status-report/v2, tpl:wf:onboarding/v1, tpl:wf:onboarding/v2");

        Cli.Result malformed = iuCore("scaleout", "--n", "4", "--templates", "status-report-v1", "--actor", ACTOR);
        assertThat(malformed.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(malformed.err()).contains("\"status-report-v1\" is not a template version: expected <template>/v<N>");

        Cli.Result none = iuCore("scaleout", "--n", "0", "--templates", MIX, "--actor", ACTOR);
        assertThat(none.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(none.err()).contains("the number of instances must be 1 to 1000000, not 0");

        Cli.Result blank = iuCore("scaleout", "--n", "4", "--templates", MIX, "--actor", " ");
        assertThat(blank.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(blank.err()).contains("a scaleout batch needs an actor");

        Cli.Result backupAlone = iuCore("scaleout", "--n", "4", "--templates", MIX, "--actor", ACTOR, "--backup");
        assertThat(backupAlone.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(backupAlone.err()).contains("--backup goes with --evidence");

        assertThat(counts()).as("the earlier batch is still all there").isEqualTo(before);
        for (Cli.Result result : List.of(unknown, malformed, none, blank, backupAlone)) {
            assertThat(result.err()).doesNotContain("\tat ").doesNotContain("Exception");
        }
    }

    @Test
    void withEvidenceTheRunIsRecordedWithMatrixSnapshotsAndBackupsBeforeAndAfter(@TempDir Path backups) throws Exception {
        SystemTools.ensure();
        openScaleoutGate();
        Cli.Result result = Cli.run(DB.db().settings().with(Setting.BACKUP_DIR, backups.toString()),
                "scaleout", "--n", "20", "--templates", MIX, "--actor", ACTOR, "--evidence", "--backup");

        assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCode.OK);
        Map<String, Object> run = DB.db().query("""
                SELECT run_id::text AS run_id, kind, actor, dry_run, outcome, matrix_before, matrix_after, rollback_handle,
                       arguments ->> 'batch_id' AS batch_id, arguments -> 'command_line' ->> 0 AS command,
                       summary -> 'rows_added' ->> 'iu_piece_membership' AS memberships,
                       backup_before ->> 'path' AS backup_before, backup_before ->> 'sha256' AS sha_before,
                       (backup_after ->> 'bytes')::bigint AS bytes_after, finished_at >= started_at AS finished
                  FROM iu_core_batch_run""").get(0);
        String runId = (String) run.get("run_id");
        assertThat(result.out()).contains("evidence: run " + runId + " (iu-core evidence " + runId + ")");
        assertThat(run).containsEntry("kind", "scaleout").containsEntry("actor", ACTOR).containsEntry("dry_run", false)
                .containsEntry("outcome", "ok").containsEntry("matrix_before", "scaleout-" + runId + "-before")
                .containsEntry("matrix_after", "scaleout-" + runId + "-after").containsEntry("rollback_handle", ACTOR)
                .containsEntry("command", "scaleout").containsEntry("memberships", "105").containsEntry("finished", true);
        assertThat(Path.of((String) run.get("backup_before"))).exists().hasParent(backups);
        assertThat(Files.readString(Path.of(run.get("backup_before") + ".sha256"))).startsWith((String) run.get("sha_before"));
        assertThat((Long) run.get("bytes_after")).isPositive();

        // the two snapshots show exactly the batch's rows (and the command log's own growth)
        Cli.Result diff = iuCore("matrix", "diff", "scaleout-" + runId + "-before", "scaleout-" + runId + "-after", "--expect",
                "iu_piece_collection=+20,iu_piece_membership=+105,iu_collection_template_instance_lineage=+20,"
                        + "iu_auto_instantiate_event_log=+20,event_outbox=+20,information_unit=0");
        assertThat(diff.exitCode()).as(diff.out()).isEqualTo(ExitCode.OK);
        assertThat(result.out()).contains("check: iu-core matrix diff scaleout-" + runId + "-before scaleout-" + runId
                + "-after --expect iu_piece_collection=+20,");
    }
}
