package dev.iucore.pipeline.outbox;

import dev.iucore.pipeline.metrics.PipelineMetrics;
import dev.iucore.pipeline.relay.RelayTransaction;
import org.apache.camel.Body;
import org.apache.camel.Exchange;

/** The dispatch route's per-event decisions, noted in the batch's {@link DispatchPlan}. */
public final class DispatchPlanner {

    private final PipelineMetrics metrics;

    public DispatchPlanner(PipelineMetrics metrics) {
        this.metrics = metrics;
    }

    public void deadLetterUnregistered(@Body OutboxEvent event, Exchange exchange) {
        DispatchPlan.of(exchange).unregistered.add(event.id());
    }

    public void deadLetterDisabled(@Body OutboxEvent event, Exchange exchange) {
        DispatchPlan.of(exchange).disabled.add(event.id());
    }

    public void hold(@Body OutboxEvent event, Exchange exchange) {
        DispatchPlan.of(exchange).hold(event);
    }

    public void dispatch(@Body OutboxEvent event, Exchange exchange) {
        DispatchPlan.of(exchange).dispatch(event);
    }

    /**
     * The batch's decisions are counted once its transaction committed: a batch rolled back, or run
     * inside a caller's transaction (the boundary probe, which rolls back), counts nothing.
     */
    public void countAfterCommit(Exchange exchange) {
        DispatchPlan plan = DispatchPlan.of(exchange);
        RelayTransaction.of(exchange).afterCommit(() -> plan.countInto(metrics));
    }
}
