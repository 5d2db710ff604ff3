package dev.iucore.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.iucore.pipeline.retention.RetentionData;
import dev.iucore.pipeline.testing.Cli;
import dev.iucore.pipeline.testing.DatabaseExtension;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RetentionCommandTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AUTO_LOG = "iu_auto_instantiate_event_log";

    private RetentionData data;

    @BeforeEach
    void reset() {
        data = new RetentionData(DB.db()).reset().enableAll();
        data.autoLog(RetentionData.OLD);
        data.autoLog(RetentionData.YOUNG);
    }

    private static Cli.Result iuCore(String... args) {
        return Cli.run(DB.db().settings(), args);
    }

    private static Map<String, Object> lastLogged() {
        return DB.db().query("""
                SELECT actor, dry_run, outcome, exit_code, row_deltas::text AS row_deltas
                FROM iu_command_log WHERE command_name = 'retention' ORDER BY id DESC LIMIT 1""").get(0);
    }

    @Test
    void aDryRunPrintsOneRowPerTargetAndDeletesNothing() {
        Cli.Result result = iuCore("retention", "--dry-run", "--actor", "ops-carol");

        assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCode.OK);
        assertThat(result.out().lines().findFirst()).hasValueSatisfying(header ->
                assertThat(header).matches("TARGET +\\| ELIGIBLE \\| DELETED \\| DRY RUN \\| STATUS +\\| BATCHES \\| NOTE"));
        assertThat(result.out()).containsPattern("(?m)^iu_auto_instantiate_event_log \\| 1 +\\| 0 +\\| yes +\\| completed");
        assertThat(result.out().lines().filter(l -> l.contains("| yes "))).hasSize(4);
        assertThat(DB.db().count(AUTO_LOG)).isEqualTo(2);
        assertThat(lastLogged()).containsEntry("actor", "ops-carol").containsEntry("dry_run", true)
                .containsEntry("outcome", "ok");
        assertThat((String) lastLogged().get("row_deltas")).contains("\"iu_core_retention_run\": 4")
                .contains("\"iu_auto_instantiate_event_log\": 0");
    }

    @Test
    void applyWithTheGateClosedIsRefusedWithExitCode1AndDeletesNothing() {
        Cli.Result result = iuCore("retention", "--apply", "--actor", "ops-carol");

        assertThat(result.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(result.err()).contains("iu-core retention: gate retention_enabled is closed: nothing was deleted");
        assertThat(result.err()).doesNotContain("Exception");
        assertThat(result.out()).containsPattern("(?m)^iu_auto_instantiate_event_log \\| 1 +\\| 0 +\\| no +\\| refused");
        assertThat(DB.db().count(AUTO_LOG)).isEqualTo(2);
        assertThat(DB.db().queryLong("SELECT count(*) FROM iu_core_retention_run WHERE status = 'refused' AND actor = 'ops-carol'"))
                .isEqualTo(4);
        assertThat(lastLogged()).containsEntry("outcome", "refused").containsEntry("exit_code", 1)
                .containsEntry("dry_run", false);
    }

    @Test
    void applyWithTheGateOpenDeletesAndReportsEveryTargetAsJson() throws Exception {
        data.openGate();

        Cli.Result result = iuCore("retention", "--apply", "--actor", "ops-carol", "--json");

        assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCode.OK);
        JsonNode report = JSON.readTree(result.out());
        assertThat(report.get("dry_run").asBoolean()).isFalse();
        assertThat(report.get("run_id").asText()).isNotBlank();
        assertThat(report.get("targets").findValuesAsText("target")).containsExactly(
                "iu_route_attempt", "iu_route_dead_letter", "event_outbox", AUTO_LOG);
        JsonNode autoLog = report.get("targets").get(3);
        assertThat(autoLog.get("rows_eligible").asLong()).isEqualTo(1);
        assertThat(autoLog.get("rows_deleted").asLong()).isEqualTo(1);
        assertThat(autoLog.get("dry_run").asBoolean()).isFalse();
        assertThat(autoLog.get("status").asText()).isEqualTo("completed");
        assertThat(DB.db().count(AUTO_LOG)).isEqualTo(1);
        assertThat((String) lastLogged().get("row_deltas")).contains("\"iu_auto_instantiate_event_log\": -1");
    }

    @Test
    void aBlankActorIsAUsageError() {
        Cli.Result result = iuCore("retention", "--dry-run", "--actor", " ");

        assertThat(result.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(result.err()).contains("--actor must name who runs it");
        assertThat(DB.db().count("iu_core_retention_run")).isZero();
    }

    @Test
    void withEvidenceTheRunIsRecordedWithMatrixSnapshotsBeforeAndAfter() {
        data.openGate();

        Cli.Result result = iuCore("retention", "--apply", "--actor", "ops-carol", "--evidence");

        assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCode.OK);
        Map<String, Object> run = DB.db().query("""
                SELECT run_id::text AS run_id, kind, actor, dry_run, outcome, matrix_before, matrix_after, backup_before,
                       summary -> 'rows_deleted' ->> 'iu_auto_instantiate_event_log' AS deleted,
                       EXISTS (SELECT 1 FROM iu_core_retention_run r
                                WHERE r.run_id::text = summary ->> 'retention_run_id'
                                  AND r.target = 'iu_auto_instantiate_event_log' AND r.rows_deleted = 1) AS linked
                  FROM iu_core_batch_run ORDER BY started_at DESC LIMIT 1""").get(0);
        String runId = (String) run.get("run_id");
        assertThat(result.out()).contains("evidence: run " + runId + " (iu-core evidence " + runId + ")");
        assertThat(run).containsEntry("kind", "retention").containsEntry("actor", "ops-carol").containsEntry("dry_run", false)
                .containsEntry("outcome", "ok").containsEntry("matrix_before", "retention-" + runId + "-before")
                .containsEntry("matrix_after", "retention-" + runId + "-after").containsEntry("deleted", "-1")
                .containsEntry("linked", true);
        assertThat(run.get("backup_before")).as("no --backup").isNull();
        assertThat(DB.db().queryLong("""
                SELECT a.row_count - b.row_count FROM iu_core_matrix_count a, iu_core_matrix_count b
                 WHERE a.surface = 'iu_auto_instantiate_event_log' AND b.surface = a.surface
                   AND a.snapshot_id = (SELECT id FROM iu_core_matrix_snapshot WHERE label = ?)
                   AND b.snapshot_id = (SELECT id FROM iu_core_matrix_snapshot WHERE label = ?)""",
                run.get("matrix_after"), run.get("matrix_before"))).isEqualTo(-1);
    }

    @Test
    void aRefusedRunIsEvidenceToo() {
        Cli.Result result = iuCore("retention", "--apply", "--actor", "ops-carol", "--evidence");

        assertThat(result.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(DB.db().query("SELECT outcome, message FROM iu_core_batch_run ORDER BY started_at DESC LIMIT 1").get(0))
                .containsEntry("outcome", "refused")
                .hasEntrySatisfying("message", m -> assertThat((String) m).startsWith("gate retention_enabled is closed"));
    }
}
