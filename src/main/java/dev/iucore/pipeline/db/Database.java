package dev.iucore.pipeline.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.iucore.pipeline.config.ConfigurationException;
import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.config.Settings;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import javax.sql.DataSource;
import org.postgresql.Driver;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The database a process works on, reached as the runtime role (a pool), as the scheduler role
 * (Quartz's own small pool) and as the owner role (for migrations). External when
 * {@code iu.db.url} is set; otherwise the embedded server under {@code iu.data-dir}, started by
 * this process or attached to.
 */
public final class Database implements AutoCloseable {

    /** Quartz's three threads, its cluster check-in and its misfire handler each hold one at most. */
    private static final int SCHEDULER_POOL_SIZE = 5;

    private final String url;
    private final String runtimeUser;
    private final String runtimePassword;
    private final String ownerUser;
    private final String schedulerUser;
    private final String schedulerPassword;
    /** Null once {@link #dropOwnerCredentials} ran: the long-running service keeps no owner password. */
    private volatile String ownerPassword;
    private final int poolSize;
    private final String applicationName;
    private final EmbeddedPostgresServer embedded;
    private RuntimePool runtimePool;
    private HikariDataSource schedulerPool;

    private Database(Settings settings, String url, EmbeddedPostgresServer embedded, String applicationName) {
        this.url = url;
        this.runtimeUser = settings.get(Setting.DB_USER);
        this.ownerUser = settings.get(Setting.DB_OWNER_USER);
        this.schedulerUser = settings.get(Setting.DB_SCHEDULER_USER);
        // the embedded one's is read when Quartz asks: a command attached to a server of an older version has none
        this.schedulerPassword = embedded == null ? settings.get(Setting.DB_SCHEDULER_PASSWORD) : null;
        // the embedded server's passwords are its own, generated into its credentials file
        this.runtimePassword = embedded == null ? settings.get(Setting.DB_PASSWORD) : embedded.password(runtimeUser);
        this.ownerPassword = embedded == null ? settings.get(Setting.DB_OWNER_PASSWORD) : embedded.password(ownerUser);
        this.poolSize = settings.getInt(Setting.DB_POOL_SIZE);
        this.applicationName = applicationName;
        this.embedded = embedded;
    }

    /**
     * Opens the configured database.
     *
     * @param command the iu-core command asking, recorded as the embedded server's owner
     */
    public static Database open(Settings settings, EmbeddedPostgresServer.Mode mode, String command,
                                boolean durable) {
        String applicationName = "iu-core " + command;
        return settings.optional(Setting.DB_URL)
                .map(url -> new Database(settings, url, null, applicationName))
                .orElseGet(() -> {
                    EmbeddedPostgresServer server = EmbeddedPostgresServer.startOrAttach(
                            Path.of(settings.get(Setting.DATA_DIR)), settings.getInt(Setting.EMBEDDED_PORT), mode,
                            command, new EmbeddedPostgresServer.RoleNames(settings.get(Setting.DB_OWNER_USER),
                                    settings.get(Setting.DB_USER), settings.get(Setting.DB_SCHEDULER_USER)), durable);
                    return new Database(settings, server.jdbcUrl(EmbeddedPostgresServer.DATABASE), server,
                            applicationName);
                });
    }

    /** The pooled runtime-role data source (session state reset on every checkout): what the routes and commands use. */
    public synchronized DataSource runtime() {
        if (runtimePool == null) {
            HikariConfig config = new HikariConfig();
            config.setPoolName("iu-core-runtime");
            config.setJdbcUrl(url);
            config.setUsername(runtimeUser);
            config.setPassword(runtimePassword);
            config.setMaximumPoolSize(poolSize);
            config.setMinimumIdle(1);
            config.setInitializationFailTimeout(-1);
            config.setConnectionTimeout(5_000);
            config.addDataSourceProperty("ApplicationName", applicationName);
            runtimePool = new RuntimePool(config);
        }
        return runtimePool;
    }

    /**
     * Quartz's own pool, as the scheduler role: the only role that may write the {@code qrtz_*}
     * tables. Empty on an external database without {@code iu.db.scheduler-password}: Quartz then
     * keeps its schedule in memory, and the runtime role still never writes those tables.
     */
    public synchronized Optional<DataSource> scheduler() {
        if (schedulerPool == null) {
            String password = embedded == null ? schedulerPassword : embedded.password(schedulerUser);
            if (password.isEmpty()) {
                return Optional.empty();
            }
            HikariConfig config = new HikariConfig();
            config.setPoolName("iu-core-scheduler");
            config.setJdbcUrl(url);
            config.setUsername(schedulerUser);
            config.setPassword(password);
            config.setMaximumPoolSize(SCHEDULER_POOL_SIZE);
            config.setMinimumIdle(1);
            config.setInitializationFailTimeout(-1);
            config.setConnectionTimeout(5_000);
            config.addDataSourceProperty("ApplicationName", applicationName + " (quartz)");
            schedulerPool = new HikariDataSource(config);
        }
        return Optional.of(schedulerPool);
    }

    /** An unpooled owner-role data source for migrations: used briefly, then dropped. */
    public DataSource owner() {
        String password = ownerPassword();
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(url);
        ds.setUser(ownerUser);
        if (!password.isEmpty()) {
            ds.setPassword(password);
        }
        ds.setApplicationName(applicationName);
        return ds;
    }

    /** Migrations as the owner role, granting to this deployment's runtime and scheduler roles. */
    public Migrator migrator() {
        return new Migrator(owner(), runtimeUser, schedulerUser);
    }

    public String url() {
        return url;
    }

    /**
     * The owner role's connection for libpq tools: host, port and database as the JDBC URL names
     * them (the embedded server's too). The owner, because a backup must read every object.
     */
    public ClientConnection ownerClientConnection() {
        Properties parsed = Driver.parseURL(url, null);
        if (parsed == null) {
            // the URL may carry a password parameter: never echoed whole
            throw new ConfigurationException("iu.db.url (env IU_DB_URL) is not a PostgreSQL JDBC URL: "
                    + url.replaceAll("(?i)(password=)[^&;]*", "$1***"));
        }
        return new ClientConnection(parsed.getProperty("PGHOST", "localhost"), parsed.getProperty("PGPORT", "5432"),
                parsed.getProperty("PGDBNAME"), ownerUser, ownerPassword(), parsed.getProperty("sslmode"));
    }

    /**
     * `run` migrates as the owner, then forgets the owner's password: a service that runs for months
     * needs only the runtime role, and what it does not hold cannot leak from it.
     */
    public void dropOwnerCredentials() {
        ownerPassword = null;
    }

    private String ownerPassword() {
        String password = ownerPassword;
        if (password == null) {
            throw new IllegalStateException("the owner role's credentials were dropped once the migrations were applied;"
                    + " owner work belongs to a command of its own (iu-core migrate, backup)");
        }
        return password;
    }

    public String runtimeUser() {
        return runtimeUser;
    }

    public String ownerUser() {
        return ownerUser;
    }

    public String schedulerUser() {
        return schedulerUser;
    }

    public boolean isEmbedded() {
        return embedded != null;
    }

    /** True when this process started the embedded server (and stops it on close). */
    public boolean startedEmbeddedServer() {
        return embedded != null && embedded.owned();
    }

    /** A line for logs and messages; never contains a password. */
    public String describe() {
        if (embedded == null) {
            return "external PostgreSQL " + url;
        }
        return "embedded PostgreSQL " + url + " (data " + embedded.dataDir() + (embedded.owned()
                ? ", started by this process)" : ", attached to the running owner)");
    }

    @Override
    public synchronized void close() {
        if (runtimePool != null) {
            runtimePool.close();
            runtimePool = null;
        }
        if (schedulerPool != null) {
            schedulerPool.close();
            schedulerPool = null;
        }
        if (embedded != null) {
            embedded.close();
        }
    }
}
