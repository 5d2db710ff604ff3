package dev.iucore.pipeline.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.iucore.pipeline.config.NodeId;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.RunningPipeline;
import dev.iucore.pipeline.testing.TestDb;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Batch runs left {@code running} by a process that ended: closed as failed (interrupted) when the
 * service starts, on the real database; runs of live processes and of other hosts are not touched.
 */
class InterruptedRunsTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final String HOST = NodeId.host();
    /** Above any pid the kernel hands out (pid_max is at most 2^22). */
    private static final String DEAD = HOST + ":999999999";

    private static TestDb db() {
        return DB.db();
    }

    @BeforeEach
    void noRunningRuns() {
        db().update("UPDATE iu_core_batch_run SET outcome = 'ok', finished_at = now() WHERE outcome = 'running'");
    }

    @Test
    void runsOfThisNodeAndOfDeadProcessesOfThisHostAreClosedAsInterruptedTheRestAreNot() throws Exception {
        UUID earlierSelf = running("node-a", "apply");
        UUID dead = running(DEAD, "matrix_before");
        UUID alive = running(HOST + ":" + ProcessHandle.current().pid(), "apply");
        UUID elsewhere = running("elsewhere:1", "apply");
        UUID named = running("node-b", "apply");

        assertThat(InterruptedRuns.close(db().runtime(), "node-a", HOST)).containsExactlyInAnyOrder(earlierSelf, dead);

        assertThat(db().query("SELECT outcome, phase, message, finished_at IS NOT NULL AS finished FROM iu_core_batch_run"
                + " WHERE run_id = ?", dead)).containsExactly(Map.of("outcome", "failed", "phase", "done", "finished", true,
                "message", "interrupted in phase matrix_before: its process (" + DEAD + ") ended before the run"));
        assertThat(db().queryValue("SELECT outcome FROM iu_core_batch_run WHERE run_id = ?", earlierSelf)).isEqualTo("failed");
        for (UUID untouched : new UUID[] {alive, elsewhere, named}) {
            assertThat(db().queryValue("SELECT outcome FROM iu_core_batch_run WHERE run_id = ?", untouched)).isEqualTo("running");
        }
    }

    @Test
    void theServiceClosesTheRunsItsNodeLeftRunningWhenItStarts() {
        UUID left = running("interrupted-runs", "apply");

        try (RunningPipeline service = RunningPipeline.start(db(), "interrupted-runs")) {
            assertThat(db().queryValue("SELECT outcome FROM iu_core_batch_run WHERE run_id = ?", left)).isEqualTo("failed");
        }
    }

    private static UUID running(String node, String phase) {
        UUID run = UUID.randomUUID();
        db().update("""
                INSERT INTO iu_core_batch_run (run_id, kind, actor, dry_run, node, phase)
                VALUES (?, 'retention', 'interrupted-runs-test', false, ?, ?)""", run, node, phase);
        return run;
    }
}
