package dev.iucore.pipeline.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The deadline of a blocking exchange: it aborts the exchange once it passes, and never after the exchange ended. */
class TryDeadlineTest {

    @Test
    void aDeadlineThatPassesAbortsTheExchangeAndSaysSo() throws InterruptedException {
        CountDownLatch aborted = new CountDownLatch(1);
        TryDeadline deadline = TryDeadline.watch(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50), aborted::countDown);
        assertThat(aborted.await(30, TimeUnit.SECONDS)).as("the exchange was aborted").isTrue();
        assertThat(deadline.finish()).isTrue();
    }

    @Test
    void anExchangeThatEndsInTimeIsNeverAbortedLater() throws InterruptedException {
        AtomicInteger aborts = new AtomicInteger();
        TryDeadline deadline = TryDeadline.watch(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50), aborts::incrementAndGet);
        assertThat(deadline.finish()).isFalse();
        Thread.sleep(200);
        assertThat(aborts).as("the cancelled alarm never fired").hasValue(0);
    }
}
