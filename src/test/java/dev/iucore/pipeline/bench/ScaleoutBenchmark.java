package dev.iucore.pipeline.bench;

import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.config.Settings;
import dev.iucore.pipeline.db.Database;
import dev.iucore.pipeline.db.EmbeddedPostgresServer;
import dev.iucore.pipeline.db.Migrator;
import dev.iucore.pipeline.demo.DemoDataLoader;
import dev.iucore.pipeline.scaleout.ActorRollback;
import dev.iucore.pipeline.scaleout.RollbackReport;
import dev.iucore.pipeline.scaleout.ScaleoutBatch;
import dev.iucore.pipeline.scaleout.ScaleoutReport;
import dev.iucore.pipeline.scaleout.ScaleoutRunner;
import dev.iucore.pipeline.scaleout.TemplateVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * Scaleout instances/s for BENCHMARKS.md, never a test: one batch of N instances (default 10,000)
 * of the four demo template versions through {@link ScaleoutRunner} (the path of
 * {@code iu-core scaleout}), on the product's own embedded PostgreSQL with fsync and
 * synchronous_commit on, in a fresh temporary data directory. Also: the same batch again (composes
 * nothing), a batch with the envelope trigger's gate open, and the actor rollback of a batch.
 *
 * <pre>mvn -B -q test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.iucore.pipeline.bench.ScaleoutBenchmark [-Dexec.args=10000]</pre>
 */
public final class ScaleoutBenchmark {

    static final List<TemplateVersion> MIX = TemplateVersion.parseList(
            "tpl:file:status-report/v1,tpl:file:status-report/v2,tpl:wf:onboarding/v1,tpl:wf:onboarding/v2");
    static final String GATE = "UPDATE iu_core_gate SET gate_value = ? WHERE gate_name = ?";
    static final String VERSION = "SHOW server_version";

    private ScaleoutBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        Path dataDir = Files.createTempDirectory("iu-core-bench");
        Settings settings = Settings.load(Map.of(), new Properties()).with(Map.of(Setting.DATA_DIR, dataDir.toString()));
        try (Database database = Database.open(settings, EmbeddedPostgresServer.Mode.COMMAND, "bench", true)) {
            new Migrator(database.owner(), database.runtimeUser()).migrate();
            DataSource owner = database.owner();
            DataSource runtime = database.runtime();
            System.out.printf("machine: %d cores, %d MiB max heap, Java %s, PostgreSQL %s (embedded, fsync on)%n",
                    Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20,
                    System.getProperty("java.version"), queryString(owner, VERSION));
            new DemoDataLoader(runtime).load();
            execute(owner, GATE, "true", "scaleout_enabled");
            ScaleoutRunner runner = new ScaleoutRunner(runtime);

            ScaleoutBatch batch = ScaleoutBatch.of("bench-a", count, MIX, null);
            measure("scaleout, envelope gate closed", runner, batch, count);
            measure("the same batch again", runner, batch, 0);

            execute(owner, GATE, "true", "envelope_refresh_enabled");
            measure("scaleout, envelope gate open", runner, ScaleoutBatch.of("bench-b", count, MIX, null), count);

            long start = System.nanoTime();
            RollbackReport rollback = new ActorRollback(runtime).run("bench-a", false);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("rollback --actor bench-a: %,d rows removed in one transaction in %.1f s = %,.0f instances/s%n",
                    rollback.rowsRemoved(), seconds, count / seconds);
        } finally {
            deleteRecursively(dataDir);
        }
        // exec:java waits for every non-daemon thread (the pool's housekeeper); the work is done
        System.exit(0);
    }

    private static void measure(String what, ScaleoutRunner runner, ScaleoutBatch batch, long expected) throws SQLException {
        long start = System.nanoTime();
        ScaleoutReport report = runner.run(batch, composed -> { });
        double seconds = (System.nanoTime() - start) / 1e9;
        if (report.composed() != expected || report.digestMismatches() != 0) {
            throw new IllegalStateException("expected " + expected + " instances composed, got " + report.summary());
        }
        System.out.printf("%s: %,d instances (%,d memberships) composed, %,d already there, in %.1f s = %,.0f instances/s%n",
                what, report.composed(), report.memberships(), report.alreadyComposed(), seconds,
                batch.count() / seconds);
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
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
