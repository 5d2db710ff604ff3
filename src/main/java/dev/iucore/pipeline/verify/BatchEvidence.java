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
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The evidence of one batch run (scaleout, retention), recorded in {@code iu_core_batch_run} for
 * {@code iu-core evidence <run-id>}: a matrix snapshot before and after (labels derived from the
 * run id), optionally a backup before and after, the arguments, the outcome, per-table counts and
 * what undoes the run. {@link #start} before the batch, {@link #finish} after it, whatever its outcome.
 *
 * <p>The row is written first, so a run is visible (and followable by its id) from its first step:
 * its phase ({@code backup_before}, {@code matrix_before}, {@code apply}, {@code matrix_after},
 * {@code backup_after}, {@code done}) and, in the apply phase, the units done of the total as the
 * batch reports them ({@link #progress}).
 */
public final class BatchEvidence {

    static final String INSERT_RUN = """
            INSERT INTO iu_core_batch_run (run_id, kind, actor, arguments, dry_run, node, rollback_handle, phase, phases,
                                           progress_at)
            VALUES (?, ?, ?, ?::jsonb, ?, ?, ?, ?, jsonb_build_array(jsonb_build_object('phase', ?::text, 'at', now())),
                    now())""";
    static final String ENTER_PHASE = """
            UPDATE iu_core_batch_run
               SET phase = ?, phases = phases || jsonb_build_object('phase', ?::text, 'at', now()), progress_at = now()
             WHERE run_id = ? AND outcome = 'running'""";
    static final String BEFORE_RECORDED = """
            UPDATE iu_core_batch_run SET matrix_before = ?, backup_before = ?::jsonb
             WHERE run_id = ? AND outcome = 'running'""";
    static final String PROGRESS = """
            UPDATE iu_core_batch_run SET step = left(?, 200), unit = ?, units_done = ?, units_total = ?, progress_at = now()
             WHERE run_id = ? AND outcome = 'running'""";
    static final String FINISH_RUN = """
            UPDATE iu_core_batch_run
               SET finished_at = now(), outcome = ?, message = left(?, 2000), matrix_after = ?, backup_after = ?::jsonb,
                   summary = ?::jsonb, phase = 'done',
                   phases = phases || jsonb_build_object('phase', 'done', 'at', now()), progress_at = now()
             WHERE run_id = ? AND outcome = 'running'""";

    private static final Logger LOG = LoggerFactory.getLogger(BatchEvidence.class);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DataSource dataSource;
    private final MatrixRecorder matrix;
    private final BackupService backups;
    private final String node;
    private final Consumer<UUID> started;

    /** @param backups null: no backups, only the snapshots and the run row */
    public BatchEvidence(DataSource dataSource, BackupService backups, String node) {
        this(dataSource, backups, node, runId -> { });
    }

    /** @param started told each run's id as soon as its row is written, before its first step */
    public BatchEvidence(DataSource dataSource, BackupService backups, String node, Consumer<UUID> started) {
        this.dataSource = dataSource;
        this.matrix = new MatrixRecorder(dataSource);
        this.backups = backups;
        this.node = node;
        this.started = started;
    }

    /**
     * The run row, then the backup (if asked) and the snapshot before, each a phase of the row. A
     * backup or snapshot that cannot be made ends the run as failed before the batch starts.
     *
     * @param rollbackHandle what undoes the run, or null
     */
    public Run start(String kind, String actor, Map<String, Object> arguments, boolean dryRun, String rollbackHandle)
            throws SQLException, IOException {
        UUID runId = UUID.randomUUID();
        String firstPhase = backups == null ? "matrix_before" : "backup_before";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(INSERT_RUN)) {
            ps.setObject(1, runId);
            ps.setString(2, kind);
            ps.setString(3, actor);
            ps.setString(4, json(arguments));
            ps.setBoolean(5, dryRun);
            ps.setString(6, node);
            ps.setString(7, rollbackHandle);
            ps.setString(8, firstPhase);
            ps.setString(9, firstPhase);
            ps.executeUpdate();
        }
        started.accept(runId);
        String prefix = kind + "-" + runId;
        try {
            Backup before = backup(prefix + "-before");
            if (before != null) {
                enter(runId, "matrix_before");
            }
            String beforeLabel = matrix.snapshot(prefix + "-before", actor, node).label();
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(BEFORE_RECORDED)) {
                ps.setString(1, beforeLabel);
                ps.setString(2, before == null ? null : json(before));
                ps.setObject(3, runId);
                ps.executeUpdate();
            }
            enter(runId, "apply");
            return new Run(runId, kind, actor, beforeLabel, before);
        } catch (SQLException | IOException | RuntimeException e) {
            try {
                end(runId, "failed", "the evidence before the run could not be recorded: " + e.getMessage(), null, null,
                        Map.of());
            } catch (SQLException | RuntimeException recording) {
                e.addSuppressed(recording);
            }
            throw e;
        }
    }

    /**
     * How far the apply phase is, for whoever watches the run. Best effort: a count that cannot be
     * written is logged and the batch goes on.
     *
     * @param step what is under way (a retention target), or null
     * @param total null while unknown
     */
    public void progress(Run run, String step, String unit, long done, Long total) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(PROGRESS)) {
            ps.setString(1, step);
            ps.setString(2, unit);
            ps.setLong(3, done);
            ps.setObject(4, total);
            ps.setObject(5, run.runId());
            ps.executeUpdate();
        } catch (SQLException e) {
            LOG.warn("batch run {}: progress {}/{} {} not recorded: {}", run.runId(), done, total, unit, e.getMessage());
        }
    }

    /** A count of units done for a batch that reports what each step added (scaleout's ranges), from 0 of {@code total}. */
    public LongConsumer counter(Run run, String unit, long total) {
        progress(run, null, unit, 0, total);
        long[] done = {0};
        return added -> {
            done[0] += added;
            progress(run, null, unit, done[0], total);
        };
    }

    /**
     * Snapshot and backup after the batch, then the run row's outcome.
     *
     * @param outcome {@code ok}, {@code refused} or {@code failed}
     */
    public Finished finish(Run run, String outcome, String message, Map<String, Object> summary)
            throws SQLException, IOException {
        String prefix = run.kind() + "-" + run.runId();
        enter(run.runId(), "matrix_after");
        String afterLabel = matrix.snapshot(prefix + "-after", run.actor(), node).label();
        if (backups != null) {
            enter(run.runId(), "backup_after");
        }
        Backup after = backup(prefix + "-after");
        end(run.runId(), outcome, message, afterLabel, after, summary);
        return new Finished(run, afterLabel, after);
    }

    private void enter(UUID runId, String phase) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(ENTER_PHASE)) {
            ps.setString(1, phase);
            ps.setString(2, phase);
            ps.setObject(3, runId);
            ps.executeUpdate();
        }
    }

    private void end(UUID runId, String outcome, String message, String afterLabel, Backup after,
                     Map<String, Object> summary) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(FINISH_RUN)) {
            ps.setString(1, outcome);
            ps.setString(2, message);
            ps.setString(3, afterLabel);
            ps.setString(4, after == null ? null : json(after));
            ps.setString(5, json(summary));
            ps.setObject(6, runId);
            ps.executeUpdate();
        }
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
