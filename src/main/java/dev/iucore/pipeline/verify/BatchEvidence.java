package dev.iucore.pipeline.verify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.iucore.pipeline.backup.BackupService;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The evidence of one batch run (scaleout, retention), recorded in {@code iu_core_batch_run} for
 * {@code iu-core evidence <run-id>}: a matrix snapshot before and after (labels derived from the
 * run id), optionally a backup before and after, the arguments, the outcome, per-table counts and
 * what undoes the run. {@link #start} before the batch, {@link #finish} after it, whatever its outcome.
 */
public final class BatchEvidence {

    static final String INSERT_RUN = """
            INSERT INTO iu_core_batch_run (run_id, kind, actor, arguments, dry_run, node, matrix_before, backup_before,
                                           rollback_handle)
            VALUES (?, ?, ?, ?::jsonb, ?, ?, ?, ?::jsonb, ?)""";
    static final String FINISH_RUN = """
            UPDATE iu_core_batch_run
               SET finished_at = now(), outcome = ?, message = left(?, 2000), matrix_after = ?, backup_after = ?::jsonb,
                   summary = ?::jsonb
             WHERE run_id = ? AND outcome = 'running'""";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DataSource dataSource;
    private final MatrixRecorder matrix;
    private final BackupService backups;
    private final String node;

    /** @param backups null: no backups, only the snapshots and the run row */
    public BatchEvidence(DataSource dataSource, BackupService backups, String node) {
        this.dataSource = dataSource;
        this.matrix = new MatrixRecorder(dataSource);
        this.backups = backups;
        this.node = node;
    }

    /**
     * Backup (if asked), snapshot, then the run row: a backup that cannot be made stops the run
     * before anything is written.
     *
     * @param rollbackHandle what undoes the run, or null
     */
    public Run start(String kind, String actor, Map<String, Object> arguments, boolean dryRun, String rollbackHandle)
            throws SQLException, IOException {
        UUID runId = UUID.randomUUID();
        String prefix = kind + "-" + runId;
        Backup before = backup(prefix + "-before");
        String beforeLabel = matrix.snapshot(prefix + "-before", actor, node).label();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(INSERT_RUN)) {
            ps.setObject(1, runId);
            ps.setString(2, kind);
            ps.setString(3, actor);
            ps.setString(4, json(arguments));
            ps.setBoolean(5, dryRun);
            ps.setString(6, node);
            ps.setString(7, beforeLabel);
            ps.setString(8, before == null ? null : json(before));
            ps.setString(9, rollbackHandle);
            ps.executeUpdate();
        }
        return new Run(runId, kind, actor, beforeLabel, before);
    }

    /**
     * Snapshot and backup after the batch, then the run row's outcome.
     *
     * @param outcome {@code ok}, {@code refused} or {@code failed}
     */
    public Finished finish(Run run, String outcome, String message, Map<String, Object> summary)
            throws SQLException, IOException {
        String prefix = run.kind() + "-" + run.runId();
        String afterLabel = matrix.snapshot(prefix + "-after", run.actor(), node).label();
        Backup after = backup(prefix + "-after");
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(FINISH_RUN)) {
            ps.setString(1, outcome);
            ps.setString(2, message);
            ps.setString(3, afterLabel);
            ps.setString(4, after == null ? null : json(after));
            ps.setString(5, json(summary));
            ps.setObject(6, run.runId());
            ps.executeUpdate();
        }
        return new Finished(run, afterLabel, after);
    }

    private Backup backup(String label) throws SQLException, IOException {
        if (backups == null) {
            return null;
        }
        BackupService.Backup backup = backups.create(label, () -> { });
        return new Backup(backup.file().toString(), backup.bytes(), backup.sha256());
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render evidence as JSON: " + e.getMessage(), e);
        }
    }

    /** A run under way: its id and what was recorded before it. */
    public record Run(UUID runId, String kind, String actor, String matrixBefore, Backup backupBefore) {
    }

    /** A finished run: what was recorded after it too. */
    public record Finished(Run run, String matrixAfter, Backup backupAfter) {
    }

    /** One backup archive as the run row records it. */
    public record Backup(String path, long bytes, String sha256) {
    }
}
