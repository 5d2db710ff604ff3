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
import java.util.UUID;
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
        String report;
        try (Connection idle = DB.db().runtime().getConnection(); Statement s = idle.createStatement()) {
            s.execute("SET application_name = 'stall-report-session'");
            holder.start();
            held.await();
            waiter.setDaemon(true);
            waiter.start();
            await().until(() -> waiter.getState() == Thread.State.WAITING);
            report = printedOnTimeout(StallReport.of(DB.db()));
        } finally {
            release.countDown();
            holder.join();
        }
        assertThat(report).contains("==== stall report", "\"stall-waiter\" WAITING on java.util.concurrent.locks.ReentrantLock",
                "owned by \"stall-holder\"", "holds [java.util.concurrent.locks.ReentrantLock", "application_name=stall-report-session",
                "==== end of stall report");
        // the whole stack, not ThreadInfo.toString's first eight frames
        assertThat(report).contains("org.junit.platform.engine.");
    }

    @Test
    void itListsEachRelaysSlotsPerRoute() throws Exception {
        RelayData data = new RelayData(DB.db()).closeGates();
        data.registerType("test.stall.report", "live").route("stall-report-log", "test.stall.report", "log:stall-report");
        data.openGates(false, "stall-report-log");
        String report;
        try (RunningPipeline relay = RunningPipeline.start(DB.db(), "stall-reported")) {
            UUID event = data.event("test.stall.report", "s-1", "{}");
            await().atMost(Duration.ofSeconds(30)).until(() -> "delivered".equals(data.deliveryStatus(event, "stall-report-log")));
            report = printedOnTimeout(StallReport.of(DB.db(), relay));
        }
        assertThat(report).contains("==== slots of http://127.0.0.1:",
                "iu_delivery_in_flight{route=\"stall-report-log\"} 0.0", "iu_delivery_window{route=\"stall-report-log\"}",
                "iu_deliveries_total{outcome=\"delivered\",route=\"stall-report-log\"} 1.0");
    }

    /** What the report printed when an await that cannot succeed timed out. */
    private static String printedOnTimeout(StallReport stallReport) {
        PrintStream err = System.err;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setErr(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            assertThatThrownBy(() -> await().atMost(Duration.ofMillis(200)).conditionEvaluationListener(stallReport)
                    .until(() -> false)).isInstanceOf(ConditionTimeoutException.class);
        } finally {
            System.setErr(err);
        }
        return printed.toString(StandardCharsets.UTF_8);
    }
}
