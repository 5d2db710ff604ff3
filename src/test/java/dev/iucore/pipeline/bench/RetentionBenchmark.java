package dev.iucore.pipeline.bench;

import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.config.Settings;
import dev.iucore.pipeline.db.Database;
import dev.iucore.pipeline.db.EmbeddedPostgresServer;
import dev.iucore.pipeline.db.Migrator;
import dev.iucore.pipeline.retention.RetentionReport;
import dev.iucore.pipeline.retention.RetentionRunner;
import dev.iucore.pipeline.retention.TargetResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import javax.sql.DataSource;

/**
 * Retention rows/s for BENCHMARKS.md, never a test: deletes N eligible rows (default 1,000,000)
 * of one target in the default batches, on the product's own embedded PostgreSQL with fsync and
 * synchronous_commit on, in a fresh temporary data directory. Prints one line per scenario.
 *
 * <pre>mvn -B -q test-compile org.codehaus.mojo:exec-maven-plugin:3.6.4:java \
 *     -Dexec.mainClass=dev.iucore.pipeline.bench.RetentionBenchmark -Dexec.classpathScope=test [-Dexec.args=1000000]</pre>
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
    static final String VERSION = "SHOW server_version";

    private RetentionBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Path dataDir = Files.createTempDirectory("iu-core-bench");
        Settings settings = Settings.load(Map.of(), new Properties()).with(Map.of(Setting.DATA_DIR, dataDir.toString()));
        try (Database database = Database.open(settings, EmbeddedPostgresServer.Mode.COMMAND, "bench", true)) {
            new Migrator(database.owner(), database.runtimeUser()).migrate();
            DataSource owner = database.owner();
            System.out.printf("machine: %d cores, %d MiB max heap, Java %s, PostgreSQL %s (embedded, fsync on)%n",
                    Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20,
                    System.getProperty("java.version"), queryString(owner, VERSION));
            execute(owner, OPEN_GATE);
            RetentionRunner runner = new RetentionRunner(database.runtime());

            execute(owner, EMPTY);
            execute(owner, SEED_EVENTS, rows);
            measure(owner, runner, "event_outbox", rows);

            execute(owner, EMPTY);
            execute(owner, YOUNG_EVENTS, rows / 4);
            execute(owner, SEED_DELIVERIES);
            execute(owner, SEED_ATTEMPTS);
            measure(owner, runner, "iu_route_attempt", rows);
        } finally {
            deleteRecursively(dataDir);
        }
    }

    private static void measure(DataSource owner, RetentionRunner runner, String target, int rows) throws SQLException {
        execute(owner, "VACUUM ANALYZE");
        execute(owner, ENABLE_ONLY, target);

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

    private static void execute(DataSource owner, String sql, Object... params) throws SQLException {
        try (Connection c = owner.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.execute();
        }
    }

    private static String queryString(DataSource owner, String sql) throws SQLException {
        try (Connection c = owner.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void deleteRecursively(Path dir) throws java.io.IOException {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
