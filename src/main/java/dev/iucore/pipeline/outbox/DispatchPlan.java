package dev.iucore.pipeline.outbox;

import dev.iucore.pipeline.delivery.DeliveryTask;
import dev.iucore.pipeline.metrics.PipelineMetrics;
import dev.iucore.pipeline.relay.DeadLetterReason;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What dispatch decided for each event of a batch, written afterwards set-based (one statement
 * per kind, not per event). Once the batch committed, its decisions are counted, with the
 * deliveries the route table skipped.
 */
public final class DispatchPlan {

    final List<Long> unregistered = new ArrayList<>();
    final List<Long> disabled = new ArrayList<>();
    final List<Long> held = new ArrayList<>();
    final List<Long> dispatched = new ArrayList<>();
    // per registered type, for the metrics: a bounded tag, unlike an unregistered type
    private final Map<String, Integer> heldByType = new TreeMap<>();
    private final Map<String, Integer> dispatchedByType = new TreeMap<>();
    private final List<Skip> skipped = new ArrayList<>();
    private List<DeliveryTask> leased = List.of();

    /** Deliveries the route table did not create for a route that was not allowed, per route and reason. */
    public record Skip(String routeKey, String reason, int events) {
    }

    /**
     * One event's decision, in the order DESIGN §6 gives: the registry (an unregistered or disabled
     * type is dead-lettered, never dropped), then the lane (a delayed-lane event the live dispatcher
     * claimed waits for the delayed lane), then the route table for the rest.
     */
    void decide(OutboxEvent event) {
        if (!event.isRegistered()) {
            unregistered.add(event.id());
        } else if (event.isTypeDisabled()) {
            disabled.add(event.id());
        } else if (event.isDeferred()) {
            held.add(event.id());
            heldByType.merge(event.eventType(), 1, Integer::sum);
        } else {
            dispatched.add(event.id());
            dispatchedByType.merge(event.eventType(), 1, Integer::sum);
        }
    }

    void skipped(Skip skip) {
        skipped.add(skip);
    }

    void leased(List<DeliveryTask> tasks) {
        this.leased = tasks;
    }

    /** The new deliveries leased to this process's workers, for them once the batch committed (relay-drain.yaml). */
    public List<DeliveryTask> leased() {
        return leased;
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
        skipped.forEach(skip -> metrics.deliveriesSkipped(skip.routeKey(), skip.reason(), skip.events()));
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

    public List<Skip> skipped() {
        return skipped;
    }
}
