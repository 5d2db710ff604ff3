package dev.iucore.pipeline.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.iucore.pipeline.db.Migrator;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * What the outbox costs the application that writes it, never a test: sessions inserting one event
 * per transaction as fast as they commit (durable commits), for each insert trigger in turn on one
 * database, side by side: V093's (it notifies at commit, only when no other commit is notifying),
 * V003's it replaced (a notification from every transaction; V093 rolled back for the run), and no
 * trigger at all, the floor. A session LISTENs on {@code iu_core_outbox} throughout, as the relay
 * does, and counts the notifications each variant sent. Each round runs the three in turn, each
 * round starting with the next, so a shared machine's drift and the order fall on all three.
 *
 * <pre>mvn -B -q test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.iucore.pipeline.bench.OutboxInsertBenchmark -Dexec.args="1,4,16 10 2"</pre>
 * arguments: sessions (comma-separated), seconds per measurement, rounds.
 */
public final class OutboxInsertBenchmark {

    static final String TYPE = "bench.insert";
    private static final String TRIGGER = "event_outbox_notify_trg";

    private enum Variant {
        V093("V093: at commit, unless another commit is notifying"),
        V003("V003: every transaction notifies"),
        NONE("no trigger");

        final String label;

        Variant(String label) {
            this.label = label;
        }
    }

    private final BenchDatabase database;
    private final Migrator migrator;
    private final AtomicLong notifications = new AtomicLong();

    private OutboxInsertBenchmark(BenchDatabase database) {
        this.database = database;
        this.migrator = new Migrator(database.owner(), BenchDatabase.RUNTIME);
    }

    public static void main(String[] args) {
        BenchMain.run(args, OutboxInsertBenchmark::run);
    }

    private static void run(String[] args) throws Exception {
        int[] sessions = Arrays.stream((args.length > 0 ? args[0] : "1,4,16").split(",")).mapToInt(Integer::parseInt).toArray();
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        StringBuilder table = new StringBuilder(
                "| sessions | insert trigger | commits/s, each round | notifications/s | / no trigger |\n|---|---|---|---|---|\n");
        try (BenchDatabase database = BenchDatabase.start()) {
            System.out.println(database.machine());
            database.typeWithRoutes(TYPE, Map.of());
            OutboxInsertBenchmark bench = new OutboxInsertBenchmark(database);
            AtomicBoolean listening = new AtomicBoolean(true);
            Thread listener = bench.listen(listening);
            try {
                for (int n : sessions) {
                    double[][] rates = new double[Variant.values().length][rounds];
                    double[][] notified = new double[Variant.values().length][rounds];
                    for (int round = 0; round < rounds; round++) {
                        for (int i = 0; i < Variant.values().length; i++) {
                            Variant variant = Variant.values()[(i + round) % Variant.values().length];
                            bench.use(variant);
                            long before = bench.notifications.get();
                            rates[variant.ordinal()][round] = bench.commitsPerSecond(n, seconds);
                            Thread.sleep(200);
                            notified[variant.ordinal()][round] = (bench.notifications.get() - before) / (double) seconds;
                        }
                    }
                    double floor = median(rates[Variant.NONE.ordinal()]);
                    for (Variant variant : Variant.values()) {
                        double[] r = rates[variant.ordinal()];
                        String row = String.format(Locale.ROOT, "| %d | %s | %s | %,.0f | %.2f × |", n, variant.label,
                                String.join(", ", Arrays.stream(r).mapToObj(x -> String.format(Locale.ROOT, "%,.0f", x)).toList()),
                                median(notified[variant.ordinal()]), median(r) / floor);
                        System.out.println(row);
                        table.append(row).append('\n');
                    }
                }
            } finally {
                bench.use(Variant.V093);
                listening.set(false);
                listener.join();
            }
        }
        System.out.println();
        System.out.print(table);
    }

    /** The insert trigger of this variant, and an empty outbox. */
    private void use(Variant variant) throws SQLException {
        boolean v093 = migrator.currentVersion().equals("093");
        if (variant == Variant.V003 && v093) {
            migrator.rollback("093");
        } else if (variant != Variant.V003 && !v093) {
            migrator.migrate();
        }
        try (Connection c = database.owner().getConnection(); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE event_outbox " + (variant == Variant.NONE ? "DISABLE" : "ENABLE") + " TRIGGER " + TRIGGER);
            s.execute(BenchDatabase.EMPTY);
        }
    }

    /** {@code sessions} sessions inserting one event a transaction for {@code seconds}: commits a second. */
    private double commitsPerSecond(int sessions, int seconds) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(sessions);
        try (HikariDataSource pool = database.runtimePool(sessions)) {
            AtomicBoolean running = new AtomicBoolean(true);
            List<Future<Long>> producers = new ArrayList<>();
            for (int i = 0; i < sessions; i++) {
                String aggregate = "a-" + i;
                producers.add(threads.submit(() -> insertWhile(pool, aggregate, running)));
            }
            Thread.sleep(seconds * 1000L);
            running.set(false);
            long commits = 0;
            for (Future<Long> producer : producers) {
                commits += producer.get();
            }
            return commits / (double) seconds;
        } finally {
            threads.shutdown();
        }
    }

    private static long insertWhile(HikariDataSource pool, String aggregate, AtomicBoolean running) throws SQLException {
        long commits = 0;
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(SteadyProducer.INSERT)) {
            while (running.get()) {
                ps.setObject(1, UUID.randomUUID());
                ps.setString(2, TYPE);
                ps.setString(3, aggregate);
                ps.setLong(4, commits);
                ps.executeUpdate();
                commits++;
            }
        }
        return commits;
    }

    /** A session LISTENing as the relay's does, counting what arrives. */
    private Thread listen(AtomicBoolean listening) throws SQLException {
        Connection c = database.owner().getConnection();
        try (Statement s = c.createStatement()) {
            s.execute("LISTEN iu_core_outbox");
        }
        Thread thread = new Thread(() -> {
            try (c) {
                PGConnection pg = c.unwrap(PGConnection.class);
                while (listening.get()) {
                    PGNotification[] received = pg.getNotifications(100);
                    if (received != null) {
                        notifications.addAndGet(received.length);
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException("the listening session failed", e);
            }
        }, "outbox-listener");
        thread.start();
        return thread;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
