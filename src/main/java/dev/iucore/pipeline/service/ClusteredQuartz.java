package dev.iucore.pipeline.service;

import dev.iucore.pipeline.config.NodeId;
import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.config.Settings;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.apache.camel.component.quartz.QuartzComponent;
import org.quartz.SchedulerException;
import org.quartz.SchedulerFactory;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Quartz for the scheduled routes: the JDBC JobStore on our PostgreSQL (tables of migration V011)
 * in clustered mode, so each trigger fires once across every process on the database. All nodes
 * share the scheduler instance name, {@code camel.main.name}; each has its own instance id, the
 * node id. Quartz connects as the scheduler role through a small pool of its own: that role alone
 * may write the {@code qrtz_*} tables (V045), and may touch nothing else, so the runtime role
 * cannot forge or drop a schedule. It reads their blobs through {@link FilteredQuartzDelegate}.
 *
 * <p>Without a scheduler pool (an external database with no scheduler password) Quartz keeps its
 * schedule in memory: each node fires the scheduled routes itself, which each batch tolerates
 * (retention's lock refuses a second deleting run, the delayed lane claims with SKIP LOCKED, a
 * scheduled scaleout batch is named after its firing), and nothing writes {@code qrtz_*}.
 */
public final class ClusteredQuartz {

    private static final Logger LOG = LoggerFactory.getLogger(ClusteredQuartz.class);
    private static final String DEFAULT_INSTANCE_NAME = "iu-core";
    /** The scheduled batches are few; they never need more threads than this at once. */
    private static final int THREADS = 3;

    // Quartz finds a data source by name in a JVM-wide registry: one unique name per scheduler
    private static final AtomicInteger DATA_SOURCES = new AtomicInteger();

    private ClusteredQuartz() {
    }

    /** The {@code quartz} component the YAML routes use, bound in the Camel registry. */
    public static QuartzComponent component(Settings settings, Optional<DataSource> scheduler) {
        QuartzComponent quartz = new QuartzComponent();
        // shutdown waits Camel's graceful timeout for a running job, not for the job itself: every
        // batch commits in short transactions, so a job cut off is resumed by its next run
        quartz.setInterruptJobsOnShutdown(true);
        String instanceName = instanceName(settings);
        String instanceId = NodeId.of(settings);
        if (scheduler.isPresent()) {
            quartz.setSchedulerFactory(schedulerFactory(instanceName, instanceId, scheduler.get()));
        } else {
            LOG.warn("no {} for the scheduler role {} on this external database: Quartz keeps its schedule in memory,"
                    + " not in qrtz_*; every node fires the scheduled routes itself, and a firing missed while the"
                    + " service was down is not caught up", Setting.DB_SCHEDULER_PASSWORD.envName(),
                    settings.get(Setting.DB_SCHEDULER_USER));
            quartz.setSchedulerFactory(inMemory(instanceName, instanceId));
        }
        return quartz;
    }

    private static String instanceName(Settings settings) {
        return settings.raw("camel.main.name").map(String::trim).filter(name -> !name.isEmpty())
                .orElse(DEFAULT_INSTANCE_NAME);
    }

    /** A factory of one clustered scheduler on {@code dataSource} (the scheduler role's pool). */
    public static SchedulerFactory schedulerFactory(String instanceName, String instanceId, DataSource dataSource) {
        String dataSourceName = "iu-core-scheduler-" + DATA_SOURCES.incrementAndGet();
        DBConnectionManager.getInstance().addConnectionProvider(dataSourceName, new PooledConnections(dataSource));
        Properties quartz = common(instanceName, instanceId);
        quartz.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        quartz.setProperty("org.quartz.jobStore.driverDelegateClass", FilteredQuartzDelegate.class.getName());
        quartz.setProperty("org.quartz.jobStore.isClustered", "true");
        // nodes take the next triggers under the store's row lock, one at a time: without it two nodes
        // under load were seen to fire one trigger's same firing twice
        quartz.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
        quartz.setProperty("org.quartz.jobStore.dataSource", dataSourceName);
        return factory(quartz);
    }

    /** A factory of one scheduler whose schedule lives in this process only. */
    private static SchedulerFactory inMemory(String instanceName, String instanceId) {
        Properties quartz = common(instanceName, instanceId);
        quartz.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        return factory(quartz);
    }

    private static Properties common(String instanceName, String instanceId) {
        Properties quartz = new Properties();
        quartz.setProperty("org.quartz.scheduler.instanceName", instanceName);
        quartz.setProperty("org.quartz.scheduler.instanceId", instanceId);
        quartz.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
        quartz.setProperty("org.quartz.threadPool.threadCount", Integer.toString(THREADS));
        return quartz;
    }

    private static SchedulerFactory factory(Properties quartz) {
        try {
            return new StdSchedulerFactory(quartz);
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot configure Quartz: " + e.getMessage(), e);
        }
    }

    /** Connections from the scheduler role's pool; the pool belongs to the Database, so Quartz never closes it. */
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
