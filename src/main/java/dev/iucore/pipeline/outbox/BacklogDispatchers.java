package dev.iucore.pipeline.outbox;

import java.util.concurrent.Semaphore;

/**
 * The dispatchers a backlog engages beside the first, up to {@code iu.relay.dispatchers} in all
 * ({@code outbox-dispatch.yaml}): a full batch asks for one, and gets one while fewer run. At a
 * trickle no batch is full, so one dispatcher runs, with its gathering pause, and its batches lease
 * their deliveries without a second batch contending for the workers' slots.
 */
public final class BacklogDispatchers {

    private final Semaphore beside;

    /** @param dispatchers dispatch batches at once in all, the first dispatcher's included */
    public BacklogDispatchers(int dispatchers) {
        this.beside = new Semaphore(dispatchers - 1);
    }

    /** Whether a full batch should ask for another dispatcher: while all run, it does not tap one only to be refused. */
    public boolean hasRoom() {
        return beside.availablePermits() > 0;
    }

    /** True: this caller is one of the dispatchers beside the first until it {@link #leave}s. */
    public boolean enter() {
        return beside.tryAcquire();
    }

    public void leave() {
        beside.release();
    }
}
