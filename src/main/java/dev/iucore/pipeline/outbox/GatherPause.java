package dev.iucore.pipeline.outbox;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The dispatcher's pause at a trickle ({@code iu.relay.gather-ms}, {@code outbox-dispatch.yaml}),
 * counted from the start of the pass it follows, not its end: a pass that took as long as the pause
 * (a commit waiting on a slow disk) is followed at once. So passes start at most once a pause apart,
 * and what an event waits for the next pass stays within the longer of the pause and one pass,
 * instead of their sum. One consumer runs that route, so one pass is timed at a time.
 */
public final class GatherPause {

    private final long gatherNanos;
    private final LongSupplier nanoTime;
    private volatile long passStarted;

    public GatherPause(int gatherMs) {
        this(gatherMs, System::nanoTime);
    }

    GatherPause(int gatherMs, LongSupplier nanoTime) {
        this.gatherNanos = TimeUnit.MILLISECONDS.toNanos(gatherMs);
        this.nanoTime = nanoTime;
        this.passStarted = nanoTime.getAsLong() - gatherNanos;
    }

    public void passStarts() {
        passStarted = nanoTime.getAsLong();
    }

    /** What is left of the pause since the pass started, in ms (rounded up); 0 once a pass took it all. */
    public long remainingMs() {
        long left = gatherNanos - (nanoTime.getAsLong() - passStarted);
        return left <= 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(left + TimeUnit.MILLISECONDS.toNanos(1) - 1);
    }
}
