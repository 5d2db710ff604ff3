package dev.iucore.pipeline.testing;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.config.Settings;
import dev.iucore.pipeline.db.EmbeddedPostgresServer;
import dev.iucore.pipeline.db.RuntimePool;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.sql.DataSource;

/** One test class's own database: data sources for its roles, settings pointing at it, and SQL helpers. */
public final class TestDb implements AutoCloseable {

    /** Where the tests' receivers listen: loopback, which webhooks may not reach unless allowed. */
    public static final String LOCAL_RECEIVERS = "127.0.0.0/8";

    private final String name;
    private final String url;
    private final RuntimePool runtime;
    private final HikariDataSource scheduler;

    TestDb(EmbeddedPostgresServer server, String name) {
        this.name = name;
        this.url = server.jdbcUrl(name);
        this.runtime = new RuntimePool(pool(TestPostgres.RUNTIME, 12, "test-" + name));
        this.scheduler = new HikariDataSource(pool(TestPostgres.SCHEDULER, 5, "test-scheduler-" + name));
    }

    private HikariConfig pool(String role, int size, String poolName) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(role);
        config.setPassword(TestPostgres.password(role));
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(0);
        config.setPoolName(poolName);
        return config;
    }

    public String name() {
        return name;
    }

    public String url() {
        return url;
    }

    /** The runtime role (DML only), pooled as the product's (session state reset on every checkout). */
    public DataSource runtime() {
        return runtime;
    }

    /** The scheduler role, pooled: what Quartz connects as, the only role that writes {@code qrtz_*}. */
    public DataSource scheduler() {
        return scheduler;
    }

    /** The owner role, unpooled. */
    public DataSource owner() {
        return TestPostgres.ownerDataSource(name);
    }

    /**
     * Settings that point the product at this database as an external one, with the management
     * server on a free port of its own (several services run in one test JVM, and builds side by side).
     */
    public Settings settings() {
        return Settings.load(Map.of(), new Properties()).with(Map.of(
                Setting.DB_URL, url,
                Setting.DB_USER, TestPostgres.RUNTIME,
                Setting.DB_PASSWORD, TestPostgres.password(TestPostgres.RUNTIME),
                Setting.DB_OWNER_USER, TestPostgres.OWNER,
                Setting.DB_OWNER_PASSWORD, TestPostgres.password(TestPostgres.OWNER),
                Setting.DB_SCHEDULER_USER, TestPostgres.SCHEDULER,
                Setting.DB_SCHEDULER_PASSWORD, TestPostgres.password(TestPostgres.SCHEDULER),
                Setting.NODE_ID, "test-node",
                Setting.DELIVERY_ALLOWED_NETWORKS, LOCAL_RECEIVERS))
                .withProperty("camel.management.port", Integer.toString(freePort()));
    }

    /** A TCP port nothing listens on right now. */
    public static int freePort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public long count(String table) {
        return queryLong("SELECT count(*) FROM " + table);
    }

    public long queryLong(String sql, Object... params) {
        Object value = queryValue(sql, params);
        return value == null ? 0 : ((Number) value).longValue();
    }

    public Object queryValue(String sql, Object... params) {
        List<Map<String, Object>> rows = query(sql, params);
        return rows.isEmpty() ? null : rows.get(0).values().iterator().next();
    }

    public List<Map<String, Object>> query(String sql, Object... params) {
        try (Connection c = owner().getConnection()) {
            return query(c, sql, params);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** The rows of a query on this connection (as whatever role it is), each column by its label. */
    public static List<Map<String, Object>> query(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                List<Map<String, Object>> rows = new ArrayList<>();
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= columns; i++) {
                        row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
                    }
                    rows.add(row);
                }
                return rows;
            }
        }
    }

    /** A count as the cluster's superuser: other roles' sessions in pg_stat_activity, pg_terminate_backend. */
    public long superuserQueryLong(String sql) {
        return ((Number) superuserQuery(sql).get(0).values().iterator().next()).longValue();
    }

    /** Sessions of any role waiting for the advisory lock of this bigint key. */
    public long waitingForAdvisoryLock(long key) {
        return superuserQueryLong("""
                SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
                   AND ((classid::bigint << 32) | objid::bigint) = """ + key);
    }

    /** Rows as the cluster's superuser, who sees every role's sessions and queries. */
    public List<Map<String, Object>> superuserQuery(String sql) {
        try (Connection c = TestPostgres.server().superuser(name).getConnection()) {
            return query(c, sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** Runs a statement as the owner role; returns the update count. */
    public int update(String sql, Object... params) {
        try (Connection c = owner().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    private static void bind(PreparedStatement ps, Object... params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            ps.setObject(i + 1, params[i]);
        }
    }

    @Override
    public void close() {
        runtime.close();
        scheduler.close();
        TestPostgres.drop(name);
    }
}
