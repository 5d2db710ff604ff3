package dev.iucore.pipeline.delivery;

import dev.iucore.pipeline.delivery.AttemptResult.Outcome;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many deliveries of each route this process keeps in flight: additive increase,
 * multiplicative decrease, per route. A route starts at {@code iu.delivery.route-concurrency}; each
 * quick success widens its window by about one slot per window's worth of tries, up to
 * {@code iu.delivery.route-concurrency-max}; a failure that says something about the target (an
 * error status worth a retry, a timeout, a refused connection) or a try slower than
 * {@code iu.delivery.slow-try-ms} halves it, down to one. So a healthy fast route soon uses the
 * workers it can, and claims lease more of it at a time, while a slow or failing route keeps a
 * small bound and never takes every worker.
 */
public final class RouteWindows {

    private final int start;
    private final int max;
    private final long slowMs;
    private final Map<String, Double> windows = new ConcurrentHashMap<>();

    public RouteWindows(int start, int max, long slowMs) {
        if (start < 1 || max < start) {
            throw new IllegalArgumentException("route concurrency " + start + " must be at least 1 and at most its maximum " + max);
        }
        this.start = start;
        this.max = max;
        this.slowMs = slowMs;
    }

    /** The route's bound now, in whole deliveries. */
    int limit(String routeKey) {
        return (int) Math.floor(windows.getOrDefault(routeKey, (double) start));
    }

    /** Every route's starting bound. */
    int start() {
        return start;
    }

    /** The routes whose window moved from the start, whatever is in flight on them. */
    java.util.Set<String> adjusted() {
        return windows.keySet();
    }

    /** A try ended: widen the window after a quick success, halve it after a failure or a slow try. */
    void ended(String routeKey, AttemptResult result) {
        if (result == null || result.outcome() == Outcome.PERMANENT_FAILURE || result.outcome() == Outcome.REJECTED) {
            // nothing was learnt of the target's capacity: a configuration matter, or no try at all
            return;
        }
        boolean healthy = result.delivered() && result.latencyMs() <= slowMs;
        windows.compute(routeKey, (route, window) -> {
            double w = window == null ? start : window;
            return healthy ? Math.min(max, w + 1.0 / w) : Math.max(1.0, w / 2);
        });
    }
}
