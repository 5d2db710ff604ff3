package dev.iucore.pipeline.verify;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Batch runs whose process ended before they did (killed, or the service stopped mid-run: its batch
 * threads end with it) stay {@code running} in {@code iu_core_batch_run} for ever, and a page or
 * API client following one would wait for ever. At its start the service closes the ones it can
 * tell are over: its own node id's (a process with this id before this one) and, of the default
 * {@code host:pid} ids, those of this host whose process is gone. Each becomes {@code failed},
 * saying it was interrupted in the phase it had reached; its rows are as the batch left them
 * (what it applied is in its own transactions, the rest never happened).
 */
public final class InterruptedRuns {

    static final String RUNNING = "SELECT run_id, node FROM iu_core_batch_run WHERE outcome = 'running'";
    static final String CLOSE = """
            UPDATE iu_core_batch_run
               SET finished_at = now(), outcome = 'failed', phase = 'done', progress_at = now(),
                   message = left('interrupted in phase ' || phase || ': its process (' || node || ') ended before the run', 2000),
                   phases = phases || jsonb_build_object('phase', 'done', 'at', now())
             WHERE run_id = ? AND outcome = 'running'""";

    private InterruptedRuns() {
    }

    /** Closes the runs left running by an earlier process of this node or a dead one of this host; their ids. */
    public static List<UUID> close(DataSource dataSource, String node, String host) throws SQLException {
        List<UUID> closed = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement running = c.prepareStatement(RUNNING);
             PreparedStatement close = c.prepareStatement(CLOSE)) {
            List<UUID> over = new ArrayList<>();
            try (ResultSet rs = running.executeQuery()) {
                while (rs.next()) {
                    if (isOver(rs.getString("node"), node, host)) {
                        over.add(rs.getObject("run_id", UUID.class));
                    }
                }
            }
            for (UUID run : over) {
                close.setObject(1, run);
                if (close.executeUpdate() == 1) {
                    closed.add(run);
                }
            }
        }
        return closed;
    }

    /** This node id's (no run of this process exists yet), or host:pid of this host with no such process. */
    static boolean isOver(String runNode, String node, String host) {
        if (runNode.equals(node)) {
            return true;
        }
        String prefix = host + ":";
        if (!runNode.startsWith(prefix)) {
            return false;
        }
        try {
            return ProcessHandle.of(Long.parseLong(runNode.substring(prefix.length()))).isEmpty();
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
