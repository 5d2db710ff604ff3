package dev.iucore.pipeline.outbox;

import dev.iucore.pipeline.relay.RelayGates;
import dev.iucore.pipeline.relay.RelayTransaction;
import java.util.List;

/**
 * A claimed batch of outbox events, the body the dispatch steps hand on: the transaction it was
 * claimed on, the gates that transaction saw, the events, and the plan the per-event decisions
 * fill. {@code full}: the claim came back as large as asked, so there is probably more.
 */
public record DispatchBatch(RelayTransaction transaction, RelayGates gates, List<OutboxEvent> events, boolean full,
                            DispatchPlan plan) {

    /** What a draining loop holds once a batch rolled back: nothing more until the next run. */
    public static DispatchBatch rolledBack() {
        return new DispatchBatch(null, null, List.of(), false, new DispatchPlan());
    }

    /** Whether the claim took any event: after one that did, more may be committing (outbox-dispatch.yaml). */
    public boolean claimedAny() {
        return !events.isEmpty();
    }

    /**
     * A batch is one unit of work, equal only to itself. Camel keys its bean-info cache by the
     * instance a {@code ${body.…}} expression calls (BeanInfoCacheKey): a record's value hash walked
     * every event and its payload for each such step (a fifth of the service's Java samples in a backlog).
     */
    @Override
    public boolean equals(Object other) {
        return this == other;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }

    static DispatchBatch claimed(RelayTransaction transaction, RelayGates gates, List<OutboxEvent> events, int asked) {
        return new DispatchBatch(transaction, gates, events, events.size() == asked, new DispatchPlan());
    }
}
