package dev.iucore.pipeline.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Who used the machine's CPU over a phase, in cores: the machine as a whole (/proc/stat), the
 * service's JVM, the PostgreSQL sessions of the service ({@code application_name} "iu-core …") and
 * of everyone else (the benchmark's producers), PostgreSQL's own processes (WAL writer,
 * checkpointer, …) and the benchmark's JVM (producers, sink). A latency tail on 2 cores is mostly
 * the queue of a busy machine: this says how busy, and whose work it was.
 */
final class CpuShares {

    /** One reading: CPU so far in nanoseconds per process, the machine's in its clock ticks. */
    record Sample(long nanos, long machineBusyTicks, long machineTicks, long service, long benchmark,
                  Map<Long, Long> serviceSessions, Map<Long, Long> otherSessions, Map<Long, Long> postgres, long[] database) {
    }

    /** Not by backend_type: of another role's sessions only pid, database, user and application_name show. */
    private static final String SESSIONS = """
            SELECT pid, coalesce(application_name, '') LIKE 'iu-core%' FROM pg_stat_activity
             WHERE datname IS NOT NULL AND pid <> pg_backend_pid()""";

    /**
     * The database's work so far: buffers touched, rows read, commits. Each session adds its share
     * when a transaction ends, at most once a second: a drain of several seconds shows within a few per cent.
     */
    private static final String DATABASE_WORK = """
            SELECT blks_hit + blks_read, tup_returned + tup_fetched, xact_commit FROM pg_stat_database
             WHERE datname = current_database()""";

    private final BenchDatabase database;
    private final long postmaster;

    CpuShares(BenchDatabase database) throws IOException {
        this.database = database;
        this.postmaster = Long.parseLong(Files.readAllLines(database.postmasterPidFile()).get(0).strip());
    }

    /** The service's JVMs (several when processes share the database) count as one. */
    Sample take(long... servicePids) throws IOException, SQLException {
        long[] machine = machineTicks();
        Map<Boolean, Set<Long>> sessions = new HashMap<>(Map.of(true, new HashSet<>(), false, new HashSet<>()));
        try (Connection c = database.owner().getConnection(); PreparedStatement ps = c.prepareStatement(SESSIONS);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                sessions.get(rs.getBoolean(2)).add(rs.getLong(1));
            }
        }
        long[] work = new long[3];
        try (Connection c = database.owner().getConnection(); PreparedStatement ps = c.prepareStatement(DATABASE_WORK);
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            for (int i = 0; i < work.length; i++) {
                work[i] = rs.getLong(i + 1);
            }
        }
        Set<Long> everyProcess = ProcessHandle.of(postmaster).stream().flatMap(ProcessHandle::children)
                .map(ProcessHandle::pid).collect(Collectors.toSet());
        everyProcess.add(postmaster);
        everyProcess.removeAll(sessions.get(true));
        everyProcess.removeAll(sessions.get(false));
        long service = 0;
        for (long pid : servicePids) {
            service += cpu(pid);
        }
        return new Sample(System.nanoTime(), machine[0], machine[1], service, cpu(ProcessHandle.current().pid()),
                cpu(sessions.get(true)), cpu(sessions.get(false)), cpu(everyProcess), work);
    }

    /** The phase between two readings as one line; a process counts only if both readings saw it (pools keep theirs). */
    static String between(Sample before, Sample after) {
        double seconds = (after.nanos() - before.nanos()) / 1e9;
        double busy = (double) (after.machineBusyTicks() - before.machineBusyTicks()) / (after.machineTicks() - before.machineTicks());
        return String.format(Locale.ROOT, "machine %.0f %% busy; service JVM %.2f, its PostgreSQL sessions %.2f; "
                        + "other sessions (producers) %.2f; PostgreSQL's own processes %.2f; the benchmark's JVM %.2f",
                100 * busy, (after.service() - before.service()) / 1e9 / seconds,
                used(before.serviceSessions(), after.serviceSessions()) / 1e9 / seconds,
                used(before.otherSessions(), after.otherSessions()) / 1e9 / seconds,
                used(before.postgres(), after.postgres()) / 1e9 / seconds,
                (after.benchmark() - before.benchmark()) / 1e9 / seconds);
    }

    /**
     * The CPU a drain of {@code events} took, per event, beside its rate: whose work a change moved.
     * On a busy shared machine it swings as much as the rate does (73 to 98 µs of the service's JVM
     * for one build, 2026-12-04): compare it side by side, as the rates.
     */
    static String perEvent(Sample before, Sample after, long events) {
        double seconds = (after.nanos() - before.nanos()) / 1e9;
        double busy = (double) (after.machineBusyTicks() - before.machineBusyTicks()) / (after.machineTicks() - before.machineTicks());
        return String.format(Locale.ROOT, "service JVM %.0f, its PostgreSQL sessions %.0f, PostgreSQL's own processes %.0f "
                        + "(machine %.0f %% busy over %.1f s)",
                (after.service() - before.service()) / 1e3 / events,
                used(before.serviceSessions(), after.serviceSessions()) / 1e3 / events,
                used(before.postgres(), after.postgres()) / 1e3 / events, 100 * busy, seconds);
    }

    /** The database's work per event over a drain: a second process that walks past the first's rows reads more of them. */
    static String databasePerEvent(Sample before, Sample after, long events) {
        long[] b = before.database();
        long[] a = after.database();
        return String.format(Locale.ROOT, "buffers %.1f, rows read %.1f, commits %.2f",
                (double) (a[0] - b[0]) / events, (double) (a[1] - b[1]) / events, (double) (a[2] - b[2]) / events);
    }

    private static long used(Map<Long, Long> before, Map<Long, Long> after) {
        return after.entrySet().stream().filter(e -> before.containsKey(e.getKey()))
                .mapToLong(e -> e.getValue() - before.get(e.getKey())).sum();
    }

    private static Map<Long, Long> cpu(Set<Long> pids) {
        return pids.stream().collect(Collectors.toMap(Function.identity(), CpuShares::cpu));
    }

    private static long cpu(long pid) {
        return ProcessHandle.of(pid).flatMap(p -> p.info().totalCpuDuration()).map(Duration::toNanos).orElse(0L);
    }

    /** The first line of /proc/stat: ticks busy (all but idle and iowait), and ticks in all. */
    private static long[] machineTicks() throws IOException {
        String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i <= 8 && i < fields.length; i++) {
            total += Long.parseLong(fields[i]);
        }
        return new long[] {total - Long.parseLong(fields[4]) - Long.parseLong(fields[5]), total};
    }
}
