package dev.iucore.pipeline.testing;

import java.io.IOException;
import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.awaitility.core.ConditionEvaluationListener;
import org.awaitility.core.EvaluatedCondition;
import org.awaitility.core.TimeoutEvent;

/**
 * What an await on a running relay prints when it times out, while the relay still runs: every
 * thread of this JVM (the relay runs in it, {@link RunningPipeline}) with its whole stack and the
 * locks it holds and waits for, each relay's slots per route ({@code iu_delivery_in_flight},
 * {@code iu_delivery_window}), then the database's sessions. A relay that stops making progress
 * without a word is read from these, not from the assertion that it did not finish.
 * {@code await().conditionEvaluationListener(StallReport.of(db, relay))}.
 */
public final class StallReport implements ConditionEvaluationListener<Object> {

    private static final String SESSIONS = """
            SELECT pid, usename, application_name, state, wait_event_type, wait_event,
                   now() - xact_start AS in_transaction, now() - state_change AS in_state, left(query, 160) AS query
              FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() ORDER BY pid""";

    private static final List<String> SLOTS = List.of("iu_delivery_in_flight", "iu_delivery_window", "iu_deliveries_total");

    private final TestDb db;
    private final List<RunningPipeline> relays;

    private StallReport(TestDb db, List<RunningPipeline> relays) {
        this.db = db;
        this.relays = relays;
    }

    /**
     * @param db     the relays' database, whose sessions the report lists
     * @param relays those whose slots it lists
     */
    public static StallReport of(TestDb db, RunningPipeline... relays) {
        return new StallReport(db, List.of(relays));
    }

    @Override
    public void conditionEvaluated(EvaluatedCondition<Object> condition) {
        // only a timeout is reported
    }

    @Override
    public void onTimeout(TimeoutEvent timeout) {
        System.err.println(report(timeout.getDescription()));
    }

    String report(String what) {
        StringBuilder report = new StringBuilder("==== stall report: ").append(what).append('\n');
        for (ThreadInfo thread : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
            appendThread(report, thread);
        }
        relays.forEach(relay -> appendSlots(report, relay));
        report.append("==== database sessions\n");
        try {
            db.superuserQuery(SESSIONS).stream().map(Map::toString).forEach(row -> report.append(row).append('\n'));
        } catch (RuntimeException e) {
            report.append("(not read: ").append(e.getMessage()).append(")\n");
        }
        return report.append("==== end of stall report").toString();
    }

    private static void appendSlots(StringBuilder report, RunningPipeline relay) {
        report.append("==== slots of ").append(relay.managementUrl("")).append('\n');
        try {
            String metrics = Http11.client().send(HttpRequest.newBuilder(URI.create(
                    relay.managementUrl("/observe/metrics"))).build(), HttpResponse.BodyHandlers.ofString()).body();
            metrics.lines().filter(line -> SLOTS.stream().anyMatch(line::startsWith))
                    .forEach(line -> report.append(line).append('\n'));
        } catch (IOException | RuntimeException e) {
            report.append("(not read: ").append(e).append(")\n");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** As jstack prints it, without ThreadInfo.toString's cut at eight frames. */
    private static void appendThread(StringBuilder report, ThreadInfo thread) {
        report.append('"').append(thread.getThreadName()).append("\" ").append(thread.getThreadState());
        if (thread.getLockInfo() != null) {
            report.append(" on ").append(thread.getLockInfo());
            if (thread.getLockOwnerName() != null) {
                report.append(" owned by \"").append(thread.getLockOwnerName()).append('"');
            }
        }
        report.append('\n');
        StackTraceElement[] stack = thread.getStackTrace();
        for (int depth = 0; depth < stack.length; depth++) {
            report.append("\tat ").append(stack[depth]).append('\n');
            for (MonitorInfo monitor : thread.getLockedMonitors()) {
                if (monitor.getLockedStackDepth() == depth) {
                    report.append("\t- locked ").append(monitor).append('\n');
                }
            }
        }
        LockInfo[] synchronizers = thread.getLockedSynchronizers();
        if (synchronizers.length > 0) {
            report.append("\tholds ").append(Arrays.toString(synchronizers)).append('\n');
        }
        report.append('\n');
    }
}
