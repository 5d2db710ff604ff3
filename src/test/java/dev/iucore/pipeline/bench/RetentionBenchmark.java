package dev.iucore.pipeline.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.iucore.pipeline.retention.RetentionReport;
import dev.iucore.pipeline.retention.RetentionRunner;
import dev.iucore.pipeline.retention.TargetResult;
import java.sql.SQLException;

/**
 * Retention rows/s for BENCHMARKS.md, never a test: deletes N eligible rows (default 1,000,000)
 * of one target in the default batches, on the product's own embedded PostgreSQL with fsync and
 * synchronous_commit on, in a fresh temporary data directory. Prints one line per scenario.
 *
 * <pre>mvn -B -q test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.iucore.pipeline.bench.RetentionBenchmark [-Dexec.args=1000000]</pre>
 */
public final class RetentionBenchmark {

    /** Processed events that had no route: the outbox's bulk. */
    static final String SEED_EVENTS = """
            INSERT INTO event_outbox (event_type, aggregate_type, aggregate_id, status, created_at, dispatched_at)
            SELECT 'iu.collection.created', 'collection', 'bench-' || g, 'dispatched',
                   now() - interval '41 days', now() - interval '40 days' + g * interval '1 millisecond'
            FROM generate_series(1, ?) AS g""";
    /** Four attempts for each delivered delivery, of young events the event policy keeps. */
    static final String SEED_DELIVERIES = """
            INSERT INTO iu_route_delivery (event_id, outbox_id, aggregate_id, route_kind, route_key, status, attempts)
            SELECT event_id, id, aggregate_id, 'outbound', 'bench-hook', 'delivered', 4 FROM event_outbox""";
    static final String SEED_ATTEMPTS = """
            INSERT INTO iu_route_attempt (delivery_id, attempt_no, outcome, node, attempted_at)
            SELECT d.id, n, CASE WHEN n = 4 THEN 'delivered' ELSE 'failed' END, 'bench',
                   now() - interval '40 days' + (d.id * 4 + n) * interval '1 millisecond'
            FROM iu_route_delivery d CROSS JOIN generate_series(1, 4) AS n""";
    static final String YOUNG_EVENTS = """
            INSERT INTO event_outbox (event_type, aggregate_type, aggregate_id, status, dispatched_at)
            SELECT 'iu.collection.created', 'collection', 'bench-' || g, 'dispatched', now()
            FROM generate_series(1, ?) AS g""";
    static final String EMPTY = "TRUNCATE event_outbox, iu_route_delivery, iu_route_attempt, iu_route_dead_letter, iu_core_retention_run";
    static final String ENABLE_ONLY = "UPDATE iu_core_retention_policy SET enabled = (target = ?)";
    static final String OPEN_GATE = "UPDATE iu_core_gate SET gate_value = 'true' WHERE gate_name = 'retention_enabled'";

    private RetentionBenchmark() {
    }

    public static void main(String[] args) {
        BenchMain.run(args, RetentionBenchmark::run);
    }

    private static void run(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        try (BenchDatabase database = BenchDatabase.start(); HikariDataSource runtime = database.runtimePool(4)) {
            System.out.println(database.machine());
            database.execute(OPEN_GATE);
            RetentionRunner runner = new RetentionRunner(runtime);

            database.execute(EMPTY);
            database.execute(SEED_EVENTS, rows);
            measure(database, runner, "event_outbox", rows);

            database.execute(EMPTY);
            database.execute(YOUNG_EVENTS, rows / 4);
            database.execute(SEED_DELIVERIES);
            database.execute(SEED_ATTEMPTS);
            measure(database, runner, "iu_route_attempt", rows);
        }
    }

    private static void measure(BenchDatabase database, RetentionRunner runner, String target, int rows) throws SQLException {
        database.execute("VACUUM ANALYZE");
        database.execute(ENABLE_ONLY, target);

        long dryStart = System.nanoTime();
        RetentionReport dryRun = runner.run("bench", true);
        double drySeconds = (System.nanoTime() - dryStart) / 1e9;

        long start = System.nanoTime();
        RetentionReport apply = runner.run("bench", false);
        double seconds = (System.nanoTime() - start) / 1e9;

        TargetResult result = apply.targets().stream().filter(t -> t.target().equals(target)).findFirst().orElseThrow();
        if (result.rowsDeleted() != rows || !result.status().equals("completed")) {
            throw new IllegalStateException("expected " + rows + " rows deleted, got " + result);
        }
        System.out.printf("%s: %,d rows deleted in %,d batches of %,d in %.1f s = %,.0f rows/s"
                        + " (dry run counted %,d in %.1f s)%n", target, result.rowsDeleted(), result.batches(),
                result.batchSize(), seconds, result.rowsDeleted() / seconds,
                dryRun.targets().stream().filter(t -> t.target().equals(target)).findFirst().orElseThrow().rowsEligible(),
                drySeconds);
    }
}
