package dev.iucore.pipeline.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The deadline of a blocking exchange: it interrupts the waiting worker, and leaves no interrupt behind. */
class TryDeadlineTest {

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    @Test
    void aDeadlineThatPassesInterruptsTheWaitAndClearsItsInterruptOnFinish() {
        TryDeadline deadline = TryDeadline.watch(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50));
        boolean interrupted = false;
        try {
            new CountDownLatch(1).await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            interrupted = true;
        }
        assertThat(interrupted).as("the wait ended by the deadline").isTrue();
        assertThat(deadline.finish()).isTrue();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void anExchangeThatEndsInTimeIsNeverInterruptedLater() throws InterruptedException {
        TryDeadline deadline = TryDeadline.watch(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50));
        assertThat(deadline.finish()).isFalse();
        Thread.sleep(200);
        assertThat(Thread.currentThread().isInterrupted()).as("the cancelled alarm never fired").isFalse();
    }

    @Test
    void anInterruptFromAnyoneElseStays() {
        TryDeadline deadline = TryDeadline.watch(System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
        Thread.currentThread().interrupt();
        assertThat(deadline.finish()).isFalse();
        assertThat(Thread.currentThread().isInterrupted()).as("a stopping service's interrupt is not swallowed").isTrue();
    }
}
