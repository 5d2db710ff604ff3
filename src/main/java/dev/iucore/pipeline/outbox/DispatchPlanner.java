package dev.iucore.pipeline.outbox;

import org.apache.camel.Body;
import org.apache.camel.Exchange;

/** The dispatch route's per-event decisions, noted in the batch's {@link DispatchPlan}. */
public final class DispatchPlanner {

    public void deadLetterUnregistered(@Body OutboxEvent event, Exchange exchange) {
        DispatchPlan.of(exchange).unregistered.add(event.id());
    }

    public void deadLetterDisabled(@Body OutboxEvent event, Exchange exchange) {
        DispatchPlan.of(exchange).disabled.add(event.id());
    }

    public void hold(@Body OutboxEvent event, Exchange exchange) {
        DispatchPlan.of(exchange).held.add(event.id());
    }

    public void dispatch(@Body OutboxEvent event, Exchange exchange) {
        DispatchPlan.of(exchange).dispatched.add(event.id());
    }
}
