package dev.iucore.pipeline.delivery;

import dev.iucore.pipeline.delivery.AttemptResult.Outcome;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many deliveries of each route this process keeps in flight, per route, as TCP sizes its
 * congestion window. A route starts at {@code iu.delivery.route-concurrency} and, until its first
 * setback, each quick success widens it by one slot (it doubles per window's worth of tries: slow
 * start); after a setback, by about one slot per window's worth (additive increase), up to
 * {@code iu.delivery.route-concurrency-max}. A failure that says something about the target (an
 * error status worth a retry, a timeout, a refused connection) or a try slower than
 * {@code iu.delivery.slow-try-ms} halves it, down to one, and ends the slow start below the size it
 * had. So a healthy fast route uses the workers it can within a few hundred tries, and claims lease
 * more of it at a time, while a slow or failing route keeps a small bound and never takes every worker.
 */
public final class RouteWindows {

    private final int start;
    private final int max;
    private final long slowMs;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    /** A route's window now, and the size below which it still doubles (slow start). */
    private record Window(double size, double threshold) {
    }

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
        Window window = windows.get(routeKey);
        return window == null ? start : (int) Math.floor(window.size());
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
            Window w = window == null ? new Window(start, max) : window;
            if (!healthy) {
                double halved = Math.max(1.0, w.size() / 2);
                return new Window(halved, halved);
            }
            return new Window(Math.min(max, w.size() + (w.size() < w.threshold() ? 1.0 : 1.0 / w.size())), w.threshold());
        });
    }
}
