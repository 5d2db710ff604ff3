package dev.iucore.pipeline.health;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * A readiness check that asks the database, answering within {@link #TIMEOUT} whatever the pool's
 * own connection timeout: a health endpoint that hangs is no better than one that is down.
 */
abstract class DatabaseCheck extends AbstractHealthCheck {

    static final Duration TIMEOUT = Duration.ofSeconds(3);

    // a hung connection attempt holds a thread until the pool gives up; daemon, so it never blocks exit
    private static final ExecutorService ASKING = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "iu-health-check");
        thread.setDaemon(true);
        return thread;
    });

    private final DataSource dataSource;

    DatabaseCheck(String id, DataSource dataSource) {
        super("iu-core", id);
        this.dataSource = dataSource;
    }

    /** Runs on a connection; sets the builder's state and message. */
    abstract void check(Connection connection, HealthCheckResultBuilder builder) throws SQLException;

    @Override
    protected final void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        CompletableFuture<Void> asked = CompletableFuture.runAsync(() -> {
            try (Connection c = dataSource.getConnection()) {
                check(c, builder);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }, ASKING);
        try {
            asked.get(TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            asked.cancel(true);
            builder.down().message("the database did not answer within " + TIMEOUT.toSeconds() + " s");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof IllegalStateException && e.getCause().getCause() != null
                    ? e.getCause().getCause() : e.getCause();
            builder.down().message("the database cannot be reached: " + cause.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            builder.down().message("interrupted while asking the database");
        }
    }
}
