package dev.iucore.pipeline.delivery;

import org.apache.camel.Body;
import org.apache.camel.Message;

/**
 * Decides how a claimed delivery is delivered, from its route row: {@code http}, {@code log},
 * {@code kafka} or {@code sql}; {@code removed} when its route row is gone; {@code rejected} for a
 * target outside the scheme allowlist. A rejected target ({@code exec:}, {@code file:},
 * {@code bean:}, {@code sql:} …) is never handed to Camel as an endpoint: nothing resolves it.
 */
public final class DeliveryTargets {

    /** The route's first step: the claimed task becomes an attempt, the kind of its target a header to choose on. */
    public DeliveryAttempt classify(@Body DeliveryTask task, Message message) {
        message.setHeader(DeliveryAttempt.TARGET, kind(task));
        return new DeliveryAttempt(task);
    }

    static String kind(DeliveryTask task) {
        if (!task.routeExists()) {
            return "removed";
        }
        if (task.isSqlAction()) {
            return "sql";
        }
        String kind = TargetRules.targetKind(task.targetUri());
        if (kind == null) {
            return "rejected";
        }
        // the YAML route chooses its http step by this name
        return "webhook".equals(kind) ? "http" : kind;
    }
}
