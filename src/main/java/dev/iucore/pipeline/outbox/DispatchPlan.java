package dev.iucore.pipeline.outbox;

import dev.iucore.pipeline.metrics.PipelineMetrics;
import dev.iucore.pipeline.relay.DeadLetterReason;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the dispatch route decided for each event of a batch, written afterwards set-based (one
 * statement per kind, not per event): the route reads one decision per event, the database sees
 * a handful of statements per batch. Once the batch committed, its decisions are counted.
 */
public final class DispatchPlan {

    final List<Long> unregistered = new ArrayList<>();
    final List<Long> disabled = new ArrayList<>();
    final List<Long> held = new ArrayList<>();
    final List<Long> dispatched = new ArrayList<>();
    // per registered type, for the metrics: a bounded tag, unlike an unregistered type
    private final Map<String, Integer> heldByType = new TreeMap<>();
    private final Map<String, Integer> dispatchedByType = new TreeMap<>();

    void hold(OutboxEvent event) {
        held.add(event.id());
        heldByType.merge(event.eventType(), 1, Integer::sum);
    }

    void dispatch(OutboxEvent event) {
        dispatched.add(event.id());
        dispatchedByType.merge(event.eventType(), 1, Integer::sum);
    }

    /** Counts the batch's decisions; called once its transaction committed. */
    void countInto(PipelineMetrics metrics) {
        dispatchedByType.forEach(metrics::eventsDispatched);
        heldByType.forEach(metrics::eventsHeld);
        if (!unregistered.isEmpty()) {
            metrics.eventsDeadLettered(DeadLetterReason.UNREGISTERED_TYPE.sqlName(), unregistered.size());
        }
        if (!disabled.isEmpty()) {
            metrics.eventsDeadLettered(DeadLetterReason.TYPE_DISABLED.sqlName(), disabled.size());
        }
    }

    public List<Long> unregistered() {
        return unregistered;
    }

    public List<Long> disabled() {
        return disabled;
    }

    public List<Long> held() {
        return held;
    }

    public List<Long> dispatched() {
        return dispatched;
    }
}
