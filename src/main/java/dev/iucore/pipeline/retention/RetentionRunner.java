package dev.iucore.pipeline.retention;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Runs the retention policies once, for the CLI and the scheduled route. The rules live in SQL
 * (migration V010); this class only owns the loop, because a SQL function runs in one
 * transaction and a deleting run must not: on one connection in autocommit, it takes the run
 * lock, begins the run, then deletes each target batch by batch, every batch its own short
 * transaction that also adds its count to the run row. Stopped anywhere (an interrupt, an error,
 * a killed process), what was deleted and what the run rows say agree, and the next run deletes
 * the rest.
 */
public final class RetentionRunner {

    static final String LOCK = "SELECT fn_iu_core_retention_lock()";
    static final String UNLOCK = "SELECT fn_iu_core_retention_unlock()";
    static final String BEGIN = "SELECT fn_iu_core_retention_begin(?, ?)";
    static final String RUNNING = """
            SELECT target, rows_eligible FROM iu_core_retention_run
            WHERE run_id = ? AND status = 'running'
            ORDER BY array_position(fn_iu_core_retention_targets(), target)""";
    static final String DELETE_BATCH = "SELECT fn_iu_core_retention_delete_batch(?, ?)";
    static final String STOP = "SELECT fn_iu_core_retention_stop(?, ?, ?)";
    static final String REPORT = """
            SELECT target, rows_eligible, rows_deleted, dry_run, status, message, batches, batch_size,
                   policy_enabled, cutoff, actor, db_user
            FROM iu_core_retention_run WHERE run_id = ?
            ORDER BY array_position(fn_iu_core_retention_targets(), target)""";

    private final DataSource dataSource;

    public RetentionRunner(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The scheduled route's call: no progress display. */
    public RetentionReport run(String actor, boolean dryRun) throws SQLException {
        return run(actor, dryRun, RetentionProgress.NONE);
    }

    /**
     * One run. A dry run only counts. A deleting run is refused (recorded, nothing deleted) while
     * gate {@code retention_enabled} is closed or another run is deleting. An interrupt of the
     * calling thread stops the run after the batch under way, recorded as 'interrupted'.
     */
    public RetentionReport run(String actor, boolean dryRun, RetentionProgress progress) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            // the session-level lock spans the run's many transactions; begin refuses without it
            boolean locked = !dryRun && queryBoolean(c, LOCK);
            try {
                UUID run = begin(c, actor, dryRun);
                if (!dryRun) {
                    deleteInBatches(c, run, progress);
                }
                return report(c, run, dryRun);
            } finally {
                if (locked) {
                    unlock(c);
                }
            }
        }
    }

    private static UUID begin(Connection c, String actor, boolean dryRun) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(BEGIN)) {
            ps.setString(1, actor);
            ps.setBoolean(2, dryRun);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getObject(1, UUID.class);
            }
        }
    }

    private static void deleteInBatches(Connection c, UUID run, RetentionProgress progress) throws SQLException {
        try {
            Map<String, Long> targets = running(c, run);
            progress.deleting(targets.values().stream().mapToLong(Long::longValue).sum());
            for (Map.Entry<String, Long> target : targets.entrySet()) {
                progress.targetStarted(target.getKey(), target.getValue());
                long deleted = 0;
                int batch;
                while ((batch = deleteBatch(c, run, target.getKey())) > 0) {
                    deleted += batch;
                    progress.batchDeleted(target.getKey(), deleted, target.getValue());
                    if (Thread.currentThread().isInterrupted()) {
                        stop(c, run, "interrupted", "interrupted after " + deleted + " rows of " + target.getKey()
                                + "; a later run deletes the rest");
                        return;
                    }
                }
            }
        } catch (SQLException | RuntimeException e) {
            try {
                stop(c, run, "failed", String.valueOf(e.getMessage()));
            } catch (SQLException | RuntimeException recording) {
                // the rows stay 'running'; the next deleting run marks them interrupted
                e.addSuppressed(recording);
            }
            throw e;
        }
    }

    /** The targets still to delete, in processing order, with what each counted. */
    private static Map<String, Long> running(Connection c, UUID run) throws SQLException {
        Map<String, Long> targets = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(RUNNING)) {
            ps.setObject(1, run);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    targets.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return targets;
    }

    private static int deleteBatch(Connection c, UUID run, String target) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(DELETE_BATCH)) {
            ps.setObject(1, run);
            ps.setString(2, target);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static void stop(Connection c, UUID run, String status, String message) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(STOP)) {
            ps.setObject(1, run);
            ps.setString(2, status);
            ps.setString(3, message);
            ps.executeQuery().close();
        }
    }

    private static RetentionReport report(Connection c, UUID run, boolean dryRun) throws SQLException {
        List<TargetResult> targets = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(REPORT)) {
            ps.setObject(1, run);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    targets.add(new TargetResult(rs.getString("target"), rs.getLong("rows_eligible"),
                            rs.getLong("rows_deleted"), rs.getBoolean("dry_run"), rs.getString("status"),
                            rs.getString("message"), rs.getInt("batches"), (Integer) rs.getObject("batch_size"),
                            (Boolean) rs.getObject("policy_enabled"), rs.getObject("cutoff", OffsetDateTime.class),
                            rs.getString("actor"), rs.getString("db_user")));
                }
            }
        }
        return new RetentionReport(run, dryRun, targets);
    }

    private static void unlock(Connection c) {
        try {
            queryBoolean(c, UNLOCK);
        } catch (SQLException e) {
            // a connection that cannot unlock is broken; evicted, it takes its session lock with it
            try {
                c.abort(Runnable::run);
            } catch (SQLException alreadyGone) {
                // nothing more to release
            }
        }
    }

    private static boolean queryBoolean(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            return rs.next() && rs.getBoolean(1);
        }
    }
}
