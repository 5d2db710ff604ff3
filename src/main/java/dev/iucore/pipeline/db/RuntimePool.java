package dev.iucore.pipeline.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The runtime role's connection pool, handing out every connection with its session state reset.
 * A borrower can leave session state behind for the next one (an ops {@code sql:} route's
 * {@code set_config(..., false)}, a {@code statement_timeout}, a {@code LISTEN}, a temporary table
 * standing in for a real one where the role still has TEMP), and HikariCP resets only what JDBC
 * sets (auto-commit, isolation, ...) and has no checkout hook; so each checkout starts with
 * {@link #RESET}, one round trip (40-80 us on the development machine). As a prepared statement,
 * which pgjdbc parses once per connection and PostgreSQL once per session: the relay checks out a
 * few hundred connections a second, and at 1,000 events/s the checkout took 5.7 % of the service's
 * CPU samples with the reset parsed anew each time, 4.2 % prepared (2026-12-04, BENCHMARKS.md).
 */
public final class RuntimePool implements DataSource, AutoCloseable {

    /** Settings, listens, temporary objects; not DISCARD ALL, which would also drop the statements pgjdbc prepared. */
    static final String RESET = "RESET ALL; UNLISTEN *; DISCARD TEMP";

    private final HikariDataSource pool;
    /** The reset with each list of settings a caller asked for, built once, not for every checkout. */
    private final Map<List<String>, String> resets = new ConcurrentHashMap<>();

    public RuntimePool(HikariConfig config) {
        if (!config.isAutoCommit()) {
            throw new IllegalArgumentException("the runtime pool resets each connection in its own transaction: "
                    + "auto-commit must be on (pool " + config.getPoolName() + ")");
        }
        // the connection's ApplicationName in its startup packet, which RESET ALL keeps: otherwise pgjdbc
        // sends it as a SET after connecting, the first checkout's reset undid it, and every session
        // showed in pg_stat_activity with no name
        config.addDataSourceProperty("assumeMinServerVersion", "9.0");
        pool = new HikariDataSource(config);
    }

    @Override
    public Connection getConnection() throws SQLException {
        return checkout(RESET);
    }

    /**
     * The same, with these session settings ({@code "synchronous_commit TO off"}) for the rest of this
     * checkout, set in the reset's own round trip; the next checkout's reset undoes them.
     */
    public Connection getConnection(List<String> settings) throws SQLException {
        return checkout(resets.computeIfAbsent(settings, RuntimePool::resetWith));
    }

    private static String resetWith(List<String> settings) {
        StringBuilder reset = new StringBuilder(RESET);
        settings.forEach(setting -> reset.append("; SET ").append(setting));
        return reset.toString();
    }

    private Connection checkout(String reset) throws SQLException {
        Connection connection = pool.getConnection();
        try (PreparedStatement s = connection.prepareStatement(reset)) {
            s.execute();
        } catch (SQLException e) {
            pool.evictConnection(connection);
            throw e;
        }
        return connection;
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("the runtime pool connects as its configured role only");
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return pool.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        pool.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        pool.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return pool.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return pool.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return iface.isInstance(this) ? iface.cast(this) : pool.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || pool.isWrapperFor(iface);
    }

    @Override
    public void close() {
        pool.close();
    }
}
