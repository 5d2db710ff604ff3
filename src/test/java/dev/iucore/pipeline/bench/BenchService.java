package dev.iucore.pipeline.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.iucore.pipeline.config.Settings;
import dev.iucore.pipeline.db.RuntimePool;
import dev.iucore.pipeline.service.PipelineService;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The real service (Camel Main, the packaged YAML routes, the relay's beans) in the benchmark's JVM,
 * on a runtime-role pool of 20 connections (and Quartz on the scheduler role's own). {@link #start} returns at once, so a benchmark that
 * times from there includes the cold start; {@link #awaitStarted} for one that must not.
 */
final class BenchService implements AutoCloseable {

    private static final int POOL_SIZE = 20;

    private final RuntimePool pool;
    private final HikariDataSource schedulerPool;
    private final PipelineService service;
    private final CompletableFuture<Void> running;

    private BenchService(BenchDatabase database, Settings settings) {
        pool = database.servicePool(POOL_SIZE);
        schedulerPool = database.schedulerPool();
        service = new PipelineService(settings, pool, Optional.of(schedulerPool));
        running = CompletableFuture.runAsync(() -> {
            try {
                service.run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    static BenchService start(BenchDatabase database, Settings settings) {
        return new BenchService(database, settings);
    }

    /** Waits until the routes and the outbox listener run; fails if the service died starting. */
    BenchService awaitStarted(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!service.started()) {
            if (running.isDone()) {
                running.join();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the service did not start within " + limit.toSeconds() + " s");
            }
            Thread.sleep(20);
        }
        return this;
    }

    @Override
    public void close() {
        service.stop();
        running.join();
        pool.close();
        schedulerPool.close();
    }
}
