package dev.iucore.pipeline.delivery;

import dev.iucore.pipeline.metrics.PipelineMetrics.DeliveryOutcome;
import java.sql.Connection;
import java.util.Map;

/**
 * One try of one claimed delivery, the body of the delivery route: the task, then the try's
 * result. An SQL action leaves its open transaction here, so its writes commit with the attempt
 * record. The route chooses on two headers beside it, plain values read without a copy of the
 * exchange (an OGNL call on the body copies it, twice, per predicate): {@link #TARGET}, the kind
 * of target the route row names, and {@link #CLAIM_NOW}, whether the claimer is worth waking.
 */
public final class DeliveryAttempt {

    /** {@code http}, {@code kafka}, {@code log}, {@code sql}, {@code removed} or {@code rejected}. */
    public static final String TARGET = "deliveryTarget";
    /** After the record: enough slots are free for a claim worth its cost. */
    public static final String CLAIM_NOW = "deliveryClaimNow";

    private final DeliveryTask task;
    private AttemptResult result;
    private Connection transaction;
    private DeliveryOutcome recorded;

    DeliveryAttempt(DeliveryTask task) {
        this.task = task;
    }

    /** The same try, not started yet, sending these headers instead (its own span's trace context). */
    DeliveryAttempt sending(Map<String, String> forwardedHeaders) {
        return new DeliveryAttempt(task.withForwardedHeaders(forwardedHeaders));
    }

    public DeliveryTask getTask() {
        return task;
    }

    /** The try's result, or null when no target tried it (nothing could be tried). */
    AttemptResult resultOrNull() {
        return result;
    }

    AttemptResult result() {
        if (result == null) {
            throw new IllegalStateException("delivery " + task.deliveryId() + " has no result: no target tried it");
        }
        return result;
    }

    void ended(AttemptResult result) {
        this.result = result;
    }

    /** The transaction the try left open for its record (an SQL action's), or null. */
    Connection transaction() {
        return transaction;
    }

    /** What the delivery became once its record committed, or null (not recorded: the lease was lost, the record failed). */
    DeliveryOutcome recordedOrNull() {
        return recorded;
    }

    void recorded(DeliveryOutcome outcome) {
        this.recorded = outcome;
    }

    void recordIn(Connection transaction) {
        this.transaction = transaction;
    }
}
