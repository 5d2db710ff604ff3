package dev.iucore.pipeline.service;

import dev.iucore.pipeline.config.NodeId;
import dev.iucore.pipeline.config.Settings;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.apache.camel.component.quartz.QuartzComponent;
import org.quartz.SchedulerException;
import org.quartz.SchedulerFactory;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

/**
 * Quartz for the scheduled routes: the JDBC JobStore on our PostgreSQL (tables of migration V011)
 * in clustered mode, so each trigger fires once across every process on the database. All nodes
 * share the scheduler instance name, {@code camel.main.name}; each has its own instance id, the
 * node id. Quartz borrows connections from the runtime pool: it has no JDBC URL or credentials of
 * its own, so the runtime role can write its tables, and it reads their blobs through
 * {@link FilteredQuartzDelegate}.
 */
public final class ClusteredQuartz {

    private static final String DEFAULT_INSTANCE_NAME = "iu-core";
    /** The scheduled batches are few; they never need more threads than this at once. */
    private static final int THREADS = 3;

    // Quartz finds a data source by name in a JVM-wide registry: one unique name per scheduler
    private static final AtomicInteger DATA_SOURCES = new AtomicInteger();

    private ClusteredQuartz() {
    }

    /** The {@code quartz} component the YAML routes use, bound in the Camel registry. */
    public static QuartzComponent component(Settings settings, DataSource dataSource) {
        QuartzComponent quartz = new QuartzComponent();
        // shutdown waits Camel's graceful timeout for a running job, not for the job itself: every
        // batch commits in short transactions, so a job cut off is resumed by its next run
        quartz.setInterruptJobsOnShutdown(true);
        quartz.setSchedulerFactory(schedulerFactory(instanceName(settings), NodeId.of(settings), dataSource));
        return quartz;
    }

    private static String instanceName(Settings settings) {
        return settings.raw("camel.main.name").map(String::trim).filter(name -> !name.isEmpty())
                .orElse(DEFAULT_INSTANCE_NAME);
    }

    /** A factory of one clustered scheduler on {@code dataSource}. */
    public static SchedulerFactory schedulerFactory(String instanceName, String instanceId, DataSource dataSource) {
        String dataSourceName = "iu-core-runtime-" + DATA_SOURCES.incrementAndGet();
        DBConnectionManager.getInstance().addConnectionProvider(dataSourceName, new PooledConnections(dataSource));
        Properties quartz = new Properties();
        quartz.setProperty("org.quartz.scheduler.instanceName", instanceName);
        quartz.setProperty("org.quartz.scheduler.instanceId", instanceId);
        quartz.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
        quartz.setProperty("org.quartz.threadPool.threadCount", Integer.toString(THREADS));
        quartz.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        quartz.setProperty("org.quartz.jobStore.driverDelegateClass", FilteredQuartzDelegate.class.getName());
        quartz.setProperty("org.quartz.jobStore.isClustered", "true");
        // nodes take the next triggers under the store's row lock, one at a time: without it two nodes
        // under load were seen to fire one trigger's same firing twice
        quartz.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
        quartz.setProperty("org.quartz.jobStore.dataSource", dataSourceName);
        try {
            return new StdSchedulerFactory(quartz);
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot configure Quartz: " + e.getMessage(), e);
        }
    }

    /** Connections from our pool; the pool belongs to the process, so Quartz never closes it. */
    private record PooledConnections(DataSource dataSource) implements ConnectionProvider {

        @Override
        public Connection getConnection() throws SQLException {
            return dataSource.getConnection();
        }

        @Override
        public void shutdown() {
            // the Database closes the pool after Camel has stopped
        }

        @Override
        public void initialize() {
            // the pool is already open
        }
    }
}
