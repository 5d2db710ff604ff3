package dev.iucore.pipeline.delivery;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with "equal jitter": half the delay is fixed, half random, so retries of
 * many deliveries that failed together spread out instead of hitting the target in step.
 */
final class Backoff {

    private Backoff() {
    }

    /** Milliseconds to wait after the given (1-based) failed attempt. */
    static long delayMs(DeliveryTask task, int attemptNo) {
        double raw = task.backoffInitialMs() * Math.pow(task.backoffFactor().doubleValue(), attemptNo - 1);
        long capped = (long) Math.min(raw, task.backoffMaxMs());
        long half = capped / 2;
        return half + ThreadLocalRandom.current().nextLong(capped - half + 1);
    }

    /**
     * Milliseconds to wait after a failed attempt whose target asked for a wait ({@code Retry-After}):
     * at least that, up to the route's longest backoff (the operator's ceiling on a wait between
     * tries), plus up to a tenth more, so that deliveries refused together do not all return at once.
     */
    static long delayMs(DeliveryTask task, int attemptNo, long retryAfterMs) {
        long backoff = delayMs(task, attemptNo);
        long asked = Math.min(retryAfterMs, task.backoffMaxMs());
        return asked <= backoff ? backoff : asked + ThreadLocalRandom.current().nextLong(asked / 10 + 1);
    }
}
