package dev.iucore.pipeline.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.iucore.pipeline.cli.ExitCode;
import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.demo.DemoDataLoader;
import dev.iucore.pipeline.testing.Cli;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.SystemTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code iu-core evidence <run-id>} on a real scaleout run with snapshots and backups. */
class EvidenceTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MIX = "tpl:file:status-report/v1,tpl:file:status-report/v2,tpl:wf:onboarding/v1,tpl:wf:onboarding/v2";

    @TempDir
    static Path backups;

    private static String runId;

    @BeforeAll
    static void aScaleoutWithEvidence() throws Exception {
        SystemTools.ensure();
        new DemoDataLoader(DB.db().runtime()).load();
        Cli.run(DB.db().settings(), "gates", "open", "scaleout_enabled", "--actor", "ops", "--reason", "change 4711");
        Cli.Result scaleout = Cli.run(DB.db().settings().with(Setting.BACKUP_DIR, backups.toString()),
                "scaleout", "--n", "20", "--templates", MIX, "--actor", "iu-core-50000x-bulk", "--evidence", "--backup");
        assertThat(scaleout.exitCode()).as(scaleout.err()).isZero();
        Matcher id = Pattern.compile("iu-core evidence ([0-9a-f-]{36})").matcher(scaleout.out());
        assertThat(id.find()).as(scaleout.out()).isTrue();
        runId = id.group(1);
    }

    private static Cli.Result evidence(String... more) {
        String[] args = new String[more.length + 1];
        args[0] = "evidence";
        System.arraycopy(more, 0, args, 1, more.length);
        return Cli.run(DB.db().settings(), args);
    }

    @Test
    void theRunRowRecordsEachPhaseInOrderWithTheBackupsAndTheInstancesComposed() {
        assertThat(DB.db().query("""
                SELECT (SELECT string_agg(p ->> 'phase', ',' ORDER BY n) FROM jsonb_array_elements(phases) WITH ORDINALITY
                         AS e(p, n)) AS phases, phase, unit, units_done, units_total
                  FROM iu_core_batch_run WHERE run_id = ?::uuid""", runId).get(0))
                .containsEntry("phases", "backup_before,matrix_before,apply,matrix_after,backup_after,done")
                .containsEntry("phase", "done").containsEntry("unit", "instances")
                .containsEntry("units_done", 20L).containsEntry("units_total", 20L);
    }

    @Test
    void theReportIsMarkdownAnOperatorPastesIntoAChangeRecord() {
        Cli.Result report = evidence(runId);
        assertThat(report.exitCode()).as(report.err() + report.out()).isZero();
        assertThat(report.out())
                .startsWith("# Batch run " + runId + ": scaleout, ok")
                .contains("| actor | iu-core-50000x-bulk |")
                .contains("| undo | `iu-core rollback --actor iu-core-50000x-bulk` |")
                .contains("| verdict | holds |")
                .contains("| scaleout_enabled | open | open |")
                .contains("| composer_enabled | closed | closed |")
                .containsPattern("\\| iu_piece_collection \\| \\d+ \\| \\d+ \\| \\+20 \\| expected \\|")
                .containsPattern("\\| iu_piece_membership \\| \\d+ \\| \\d+ \\| \\+105 \\| expected \\|")
                .containsPattern("\\| information_unit \\| 13 \\| 13 \\| 0 \\| invariant \\|")
                .contains("0 unexpected")
                .containsPattern("\\| before \\| .*scaleout-" + runId + "-before.* \\| verified \\|")
                .containsPattern("\\| after \\| .*scaleout-" + runId + "-after.* \\| verified \\|");
    }

    @Test
    void asJsonItCarriesTheSameFacts() throws Exception {
        JsonNode report = JSON.readTree(evidence(runId, "--json").out());
        assertThat(report.get("holds").asBoolean()).isTrue();
        assertThat(report.get("kind").asText()).isEqualTo("scaleout");
        assertThat(report.get("duration_ms").asLong()).isNotNegative();
        assertThat(report.get("backups")).hasSize(2);
        assertThat(report.get("backups").findValuesAsText("status")).containsOnly("verified");
        assertThat(report.get("matrix").findValuesAsText("verdict")).doesNotContain("UNEXPECTED");
    }

    @Test
    void aBackupChangedSinceTheRunFailsTheReportAndSaysWhich() throws Exception {
        Path after = Path.of((String) DB.db().queryValue(
                "SELECT backup_after ->> 'path' FROM iu_core_batch_run WHERE run_id = ?::uuid", runId));
        byte[] original = Files.readAllBytes(after);
        try {
            Files.write(after, new byte[] {1, 2, 3});
            Cli.Result report = evidence(runId);
            assertThat(report.exitCode()).isEqualTo(ExitCode.FAILED);
            assertThat(report.out()).contains("| verdict | does not hold |").contains("checksum mismatch");
        } finally {
            Files.write(after, original);
        }
    }

    @Test
    void anUnknownRunNamesTheNewestAndAMalformedIdIsAUsageError() {
        Cli.Result unknown = evidence("00000000-0000-0000-0000-000000000000");
        assertThat(unknown.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(unknown.err()).contains("no batch run 00000000-0000-0000-0000-000000000000").contains(runId);
        Cli.Result malformed = evidence("last-tuesday");
        assertThat(malformed.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(malformed.err()).contains("<run-id> is the UUID");
    }
}
