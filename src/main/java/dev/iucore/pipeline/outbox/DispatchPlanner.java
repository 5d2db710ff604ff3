package dev.iucore.pipeline.outbox;

import dev.iucore.pipeline.metrics.PipelineMetrics;
import org.apache.camel.Body;

/** The dispatch route's decisions: each claimed event's, then the batch's count once committed. */
public final class DispatchPlanner {

    private final PipelineMetrics metrics;

    public DispatchPlanner(PipelineMetrics metrics) {
        this.metrics = metrics;
    }

    /** The registry, then the lane, for every event of the batch ({@link DispatchPlan#decide}). */
    public DispatchBatch plan(@Body DispatchBatch batch) {
        batch.events().forEach(batch.plan()::decide);
        return batch;
    }

    /**
     * The batch's decisions are counted once its transaction committed: a batch rolled back, or run
     * inside a caller's transaction (the boundary probe, which rolls back), counts nothing.
     */
    public void countAfterCommit(@Body DispatchBatch batch) {
        batch.transaction().afterCommit(() -> batch.plan().countInto(metrics));
    }
}
