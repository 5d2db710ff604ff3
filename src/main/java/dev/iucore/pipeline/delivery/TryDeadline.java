package dev.iucore.pipeline.delivery;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Ends a blocking webhook exchange at its try's deadline, body included, by interrupting the worker
 * that waits for it. The JDK client's own request timeout stops counting once the headers are in,
 * and a receiver may then stall or trickle its body for ever; its blocking {@code send}, several
 * times cheaper per request than {@code sendAsync} and a future, gives up and cancels the exchange
 * when its thread is interrupted. One timer thread serves every worker.
 */
final class TryDeadline {

    private static final ScheduledThreadPoolExecutor TIMER = timer();

    private final Thread worker = Thread.currentThread();
    private ScheduledFuture<?> alarm;
    private boolean finished;
    private boolean fired;

    private TryDeadline() {
    }

    /** Watches the calling thread until {@link #finish()}, interrupting it at {@code deadlineNanos} (System.nanoTime). */
    static TryDeadline watch(long deadlineNanos) {
        TryDeadline deadline = new TryDeadline();
        synchronized (deadline) {
            deadline.alarm = TIMER.schedule(deadline::fire, Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        return deadline;
    }

    private synchronized void fire() {
        if (!finished) {
            fired = true;
            worker.interrupt();
        }
    }

    /**
     * The exchange ended, one way or another (call it on the watched thread). True when the deadline
     * ended it: the interrupt it sent is cleared, so nothing after the try sees it; an interrupt from
     * anyone else stays.
     */
    synchronized boolean finish() {
        finished = true;
        alarm.cancel(false);
        if (fired) {
            Thread.interrupted();
        }
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
