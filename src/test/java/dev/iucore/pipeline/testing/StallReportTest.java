package dev.iucore.pipeline.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class StallReportTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @Test
    void aTimedOutAwaitPrintsWhoHoldsWhatAndTheDatabaseSessions() throws Exception {
        ReentrantLock lock = new ReentrantLock();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = new Thread(() -> {
            lock.lock();
            try {
                held.countDown();
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lock.unlock();
            }
        }, "stall-holder");
        Thread waiter = new Thread(lock::lock, "stall-waiter");
        PrintStream err = System.err;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (Connection idle = DB.db().runtime().getConnection(); Statement s = idle.createStatement()) {
            s.execute("SET application_name = 'stall-report-session'");
            holder.start();
            held.await();
            waiter.setDaemon(true);
            waiter.start();
            await().until(() -> waiter.getState() == Thread.State.WAITING);
            System.setErr(new PrintStream(printed, true, StandardCharsets.UTF_8));
            assertThatThrownBy(() -> await().atMost(Duration.ofMillis(200))
                    .conditionEvaluationListener(StallReport.of(DB.db())).until(() -> false))
                    .isInstanceOf(ConditionTimeoutException.class);
        } finally {
            System.setErr(err);
            release.countDown();
            holder.join();
        }
        String report = printed.toString(StandardCharsets.UTF_8);
        assertThat(report).contains("==== stall report", "\"stall-waiter\" WAITING on java.util.concurrent.locks.ReentrantLock",
                "owned by \"stall-holder\"", "holds [java.util.concurrent.locks.ReentrantLock", "application_name=stall-report-session",
                "==== end of stall report");
        // the whole stack, not ThreadInfo.toString's first eight frames
        assertThat(report).contains("org.junit.platform.engine.");
    }
}
