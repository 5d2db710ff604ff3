package dev.iucore.pipeline.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.iucore.pipeline.demo.DemoDataLoader;
import dev.iucore.pipeline.scaleout.ActorRollback;
import dev.iucore.pipeline.scaleout.RollbackReport;
import dev.iucore.pipeline.scaleout.ScaleoutBatch;
import dev.iucore.pipeline.scaleout.ScaleoutReport;
import dev.iucore.pipeline.scaleout.ScaleoutRunner;
import dev.iucore.pipeline.scaleout.TemplateVersion;
import java.sql.SQLException;
import java.util.List;

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

    private ScaleoutBenchmark() {
    }

    public static void main(String[] args) {
        BenchMain.run(args, ScaleoutBenchmark::run);
    }

    private static void run(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        try (BenchDatabase database = BenchDatabase.start(); HikariDataSource runtime = database.runtimePool(4)) {
            System.out.println(database.machine());
            new DemoDataLoader(runtime).load();
            database.execute(GATE, "true", "scaleout_enabled");
            ScaleoutRunner runner = new ScaleoutRunner(runtime);

            ScaleoutBatch batch = ScaleoutBatch.of("bench-a", count, MIX, null);
            measure("scaleout, envelope gate closed", runner, batch, count);
            measure("the same batch again", runner, batch, 0);

            database.execute(GATE, "true", "envelope_refresh_enabled");
            measure("scaleout, envelope gate open", runner, ScaleoutBatch.of("bench-b", count, MIX, null), count);

            long start = System.nanoTime();
            RollbackReport rollback = new ActorRollback(runtime).run("bench-a", false);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("rollback --actor bench-a: %,d rows removed in one transaction in %.1f s = %,.0f instances/s%n",
                    rollback.rowsRemoved(), seconds, count / seconds);
        }
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
}
