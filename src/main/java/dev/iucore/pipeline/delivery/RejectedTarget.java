package dev.iucore.pipeline.delivery;

import dev.iucore.pipeline.delivery.AttemptResult.Outcome;

/**
 * A target outside the scheme allowlist ({@code exec:}, {@code file:}, {@code bean:}, {@code sql:} …):
 * never resolved as an endpoint; its one attempt is recorded as rejected and the delivery dead-lettered.
 */
public final class RejectedTarget implements DeliveryTarget {

    @Override
    public AttemptResult tryOnce(DeliveryAttempt attempt) {
        return AttemptResult.failed(Outcome.REJECTED, null, "SchemeRejected",
                TargetRules.schemeRefusal(attempt.getTask().targetUri()) + "; not resolved", 0);
    }
}
