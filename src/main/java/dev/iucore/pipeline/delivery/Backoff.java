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
}
