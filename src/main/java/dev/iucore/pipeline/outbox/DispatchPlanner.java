package dev.iucore.pipeline.outbox;

import dev.iucore.pipeline.metrics.PipelineMetrics;
import org.apache.camel.Body;

/** The dispatch route's per-event decisions, noted in the batch's {@link DispatchPlan}. */
public final class DispatchPlanner {

    private final PipelineMetrics metrics;

    public DispatchPlanner(PipelineMetrics metrics) {
        this.metrics = metrics;
    }

    public void deadLetterUnregistered(@Body DispatchBatch.Item item) {
        item.plan().unregistered.add(item.event().id());
    }

    public void deadLetterDisabled(@Body DispatchBatch.Item item) {
        item.plan().disabled.add(item.event().id());
    }

    public void hold(@Body DispatchBatch.Item item) {
        item.plan().hold(item.event());
    }

    public void dispatch(@Body DispatchBatch.Item item) {
        item.plan().dispatch(item.event());
    }

    /**
     * The batch's decisions are counted once its transaction committed: a batch rolled back, or run
     * inside a caller's transaction (the boundary probe, which rolls back), counts nothing.
     */
    public void countAfterCommit(@Body DispatchBatch batch) {
        batch.transaction().afterCommit(() -> batch.plan().countInto(metrics));
    }
}
