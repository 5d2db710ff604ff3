package dev.iucore.pipeline.delivery;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Ends a blocking webhook exchange at its try's deadline, body included, by aborting it (the
 * request's connection is closed under the worker that reads it). A socket's read timeout counts
 * from the last byte, so a receiver that trickles its body resets it for ever; only a deadline of the
 * whole exchange ends such a try. One timer thread serves every worker.
 */
final class TryDeadline {

    private static final ScheduledThreadPoolExecutor TIMER = timer();

    private final Runnable abort;
    private ScheduledFuture<?> alarm;
    private boolean finished;
    private boolean fired;

    private TryDeadline(Runnable abort) {
        this.abort = abort;
    }

    /** Runs {@code abort} at {@code deadlineNanos} (System.nanoTime) unless {@link #finish()} came first. */
    static TryDeadline watch(long deadlineNanos, Runnable abort) {
        TryDeadline deadline = new TryDeadline(abort);
        synchronized (deadline) {
            deadline.alarm = TIMER.schedule(deadline::fire, Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        return deadline;
    }

    private synchronized void fire() {
        if (!finished) {
            fired = true;
            abort.run();
        }
    }

    /** Whether the deadline has aborted the exchange. */
    synchronized boolean fired() {
        return fired;
    }

    /** The exchange ended, one way or another. True when the deadline had aborted it. */
    synchronized boolean finish() {
        finished = true;
        alarm.cancel(false);
        return fired;
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "iu-core-try-deadline");
            thread.setDaemon(true);
            return thread;
        });
        // most tries end long before their deadline: a cancelled alarm leaves the queue at once
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }
}
