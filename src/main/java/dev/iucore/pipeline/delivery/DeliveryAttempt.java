package dev.iucore.pipeline.delivery;

import java.sql.Connection;

/**
 * One try of one claimed delivery, the body of the delivery route: the task, the kind of target
 * its route row names ({@link DeliveryTargets#kind}), then the try's result, and after the record
 * whether the claimer is worth waking. An SQL action leaves its open transaction here, so its
 * writes commit with the attempt record.
 */
public final class DeliveryAttempt {

    private final DeliveryTask task;
    private final String target;
    private AttemptResult result;
    private Connection transaction;
    private boolean claimNow;

    DeliveryAttempt(DeliveryTask task, String target) {
        this.task = task;
        this.target = target;
    }

    public DeliveryTask getTask() {
        return task;
    }

    /** {@code http}, {@code kafka}, {@code log}, {@code sql}, {@code removed} or {@code rejected}. */
    public String getTarget() {
        return target;
    }

    public boolean isClaimNow() {
        return claimNow;
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

    void recordIn(Connection transaction) {
        this.transaction = transaction;
    }

    void setClaimNow(boolean claimNow) {
        this.claimNow = claimNow;
    }
}
