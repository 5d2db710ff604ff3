package dev.iucore.pipeline.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.config.Settings;
import dev.iucore.pipeline.db.EmbeddedPostgresServer;
import dev.iucore.pipeline.db.Migrator;
import dev.iucore.pipeline.db.RuntimePool;
import dev.iucore.pipeline.testing.TestDb;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The relay benchmarks' database: the product's own embedded PostgreSQL, durable (fsync and
 * synchronous_commit on, as the service runs it), migrated, in a fresh temporary directory removed
 * on close; with the setup every relay benchmark needs (a type, its routes, the gates, a backlog).
 * The statements are the benchmarks' own; only numbers and the benchmarks' fixed names go in them.
 */
final class BenchDatabase implements AutoCloseable {

    static final String OWNER = "iu_core_owner";
    static final String RUNTIME = "iu_core_app";

    static final String REGISTER_TYPE = "INSERT INTO event_type_registry (event_type, delivery_lane, description) VALUES (?, 'live', 'bench')";
    static final String ROUTE = "INSERT INTO iu_outbound_route (route_key, event_type, target_uri) VALUES (?, ?, ?)";
    /** One statement: a dispatcher between two updates would see delivery open with no live route. */
    static final String OPEN_GATES = """
            UPDATE iu_core_gate SET gate_value = CASE gate_name WHEN 'delivery_enabled' THEN 'true' ELSE ? END
             WHERE gate_name IN ('delivery_enabled', 'delivery_live_routes')""";
    static final String EMPTY = "TRUNCATE event_outbox, iu_route_delivery, iu_route_attempt, iu_route_dead_letter CASCADE";
    /**
     * A backlog of events in one statement: 200 bytes of payload each, 1,000 aggregates; pending, or
     * already dispatched with no delivery yet ({@link #deliveries} gives them theirs).
     */
    static final String BACKLOG = """
            INSERT INTO event_outbox (event_type, aggregate_type, aggregate_id, payload, status, dispatched_at)
            SELECT ?, 'bench', 'a-' || (i % 1000), jsonb_build_object('n', i, 'text', repeat('x', 200)), s.status,
                   CASE s.status WHEN 'dispatched' THEN now() END
              FROM generate_series(1, ?) AS i CROSS JOIN (SELECT CAST(? AS text) AS status) s""";
    /**
     * A delivery on one route for each of the next events after an id: pending, as the dispatcher
     * creates them, or delivered at its first try.
     */
    static final String DELIVERIES = """
            WITH next AS (SELECT id, event_id, aggregate_id FROM event_outbox
                           WHERE event_type = ? AND id > ? ORDER BY id LIMIT ?),
                 created AS (INSERT INTO iu_route_delivery (event_id, outbox_id, aggregate_id, route_kind, route_key,
                                                            status, attempts, delivered_at)
                             SELECT event_id, id, aggregate_id, 'outbound', ?, s.status,
                                    CASE s.status WHEN 'delivered' THEN 1 ELSE 0 END,
                                    CASE s.status WHEN 'delivered' THEN now() END
                               FROM next CROSS JOIN (SELECT CAST(? AS text) AS status) s)
            SELECT coalesce(max(id), ?) FROM next""";
    static final String PENDING = "SELECT count(*) FROM event_outbox WHERE status = 'pending'";
    static final String DELIVERED = "SELECT count(*) FROM iu_route_delivery WHERE status = 'delivered'";
    /**
     * 0 once nothing is pending, 1 before: the head of the pending index, not a count. Polled while a
     * section runs, a count of 100,000 outbox rows (54 ms each, ten a second) took half a core of
     * the two the relay was measured on (pg_stat_statements, 2026-12-02).
     */
    static final String ANY_PENDING = """
            SELECT count(*) FROM (SELECT 1 FROM event_outbox WHERE status = 'pending' ORDER BY available_at, id LIMIT 1) p""";
    /** 0 once no delivery is open (pending or retrying), 1 before: the head of the due index. */
    static final String ANY_OPEN_DELIVERY = """
            SELECT count(*) FROM (SELECT 1 FROM iu_route_delivery WHERE status IN ('pending', 'retrying')
                                   ORDER BY next_attempt_at, id LIMIT 1) d""";

    private final Path dataDir;
    private final EmbeddedPostgresServer server;
    private final DataSource owner;
    private final StatementStatistics statements;
    private Connection keptConnection;

    private BenchDatabase(Path dataDir, EmbeddedPostgresServer server, StatementStatistics statements) {
        this.dataDir = dataDir;
        this.server = server;
        this.owner = dataSource(OWNER);
        this.statements = statements;
    }

    static BenchDatabase start() throws IOException, SQLException {
        Path dataDir = Files.createTempDirectory("iu-core-bench");
        EmbeddedPostgresServer.RoleNames roles = new EmbeddedPostgresServer.RoleNames(OWNER, RUNTIME);
        BenchDatabase database;
        if (StatementStatistics.TOP > 0) {
            EmbeddedPostgresServer server = StatementStatistics.preloadedServer(dataDir, roles);
            database = new BenchDatabase(dataDir, server, StatementStatistics.of(server, OWNER));
        } else {
            database = new BenchDatabase(dataDir, EmbeddedPostgresServer.startOrAttach(dataDir, 0,
                    EmbeddedPostgresServer.Mode.SERVICE, "bench", roles, true), StatementStatistics.off());
        }
        new Migrator(database.owner, RUNTIME).migrate();
        return database;
    }

    /** The statements a drain ran ({@code -Dbench.statements=N}); does nothing when the switch is off. */
    StatementStatistics statements() {
        return statements;
    }

    /** The server's postmaster.pid: its first line is the postmaster's process id. */
    Path postmasterPidFile() {
        return dataDir.resolve("pg").resolve("postmaster.pid");
    }

    String url() {
        return server.jdbcUrl(EmbeddedPostgresServer.DATABASE);
    }

    /** A role's generated password (the server's credentials file). */
    String password(String role) {
        return server.password(role);
    }

    /** The owner role, unpooled: the benchmarks' setup and their progress counts. */
    DataSource owner() {
        return owner;
    }

    /** The scheduler role, pooled as the service's Quartz has it; the caller closes it. */
    HikariDataSource schedulerPool() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url());
        config.setUsername(Setting.DB_SCHEDULER_USER.defaultValue());
        config.setPassword(password(Setting.DB_SCHEDULER_USER.defaultValue()));
        config.setMaximumPoolSize(5);
        return new HikariDataSource(config);
    }

    /** The runtime role, pooled; the caller closes it. */
    HikariDataSource runtimePool(int size) {
        return runtimePool(size, false);
    }

    /** The runtime role, pooled as the service's is (session state reset on each checkout); the caller closes it. */
    RuntimePool servicePool(int size) {
        return new RuntimePool(runtimeConfig(size));
    }

    /**
     * The runtime role, pooled; the caller closes it.
     *
     * @param asyncCommit every session commits without waiting for the disk, as the relay's own
     *                    bookkeeping does (RelayCommit); false: the database's default
     */
    HikariDataSource runtimePool(int size, boolean asyncCommit) {
        HikariConfig config = runtimeConfig(size);
        if (asyncCommit) {
            config.setConnectionInitSql("SET synchronous_commit TO OFF");
        }
        return new HikariDataSource(config);
    }

    private HikariConfig runtimeConfig(int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url());
        config.setUsername(RUNTIME);
        config.setPassword(password(RUNTIME));
        config.setMaximumPoolSize(size);
        return config;
    }

    /**
     * Settings of a service on this database, node {@code bench}, with the benchmark's overrides;
     * the management server on a free port, so a benchmark runs beside a service or a build.
     */
    Settings settings(Map<Setting, String> overrides) {
        Map<Setting, String> values = new HashMap<>(Map.of(Setting.DB_URL, url(), Setting.NODE_ID, "bench",
                Setting.DELIVERY_ALLOWED_NETWORKS, TestDb.LOCAL_RECEIVERS,
                Setting.DB_PASSWORD, password(RUNTIME), Setting.DB_OWNER_PASSWORD, password(OWNER)));
        values.putAll(overrides);
        return Settings.load(Map.of(), new Properties()).with(values)
                .withProperty("camel.management.port", Integer.toString(TestDb.freePort()));
    }

    /** The line every benchmark prints first: what the figures were measured on. */
    String machine() throws SQLException {
        return String.format("machine: %d cores, %d MiB max heap, Java %s, PostgreSQL %s (embedded, fsync on), load average %.1f",
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20,
                System.getProperty("java.version"), queryString("SHOW server_version"),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    /** A live event type with these outbound routes ({@code route key -> target}). */
    void typeWithRoutes(String eventType, Map<String, String> routes) throws SQLException {
        execute(REGISTER_TYPE, eventType);
        for (Map.Entry<String, String> route : routes.entrySet()) {
            execute(ROUTE, route.getKey(), eventType, route.getValue());
        }
    }

    /** delivery_enabled open and exactly these routes live. */
    void openGates(String... liveRoutes) throws SQLException {
        execute(OPEN_GATES, String.join(",", liveRoutes));
    }

    /** No events, deliveries, attempts or dead letters; the tables vacuumed, so runs start alike. */
    void empty() throws SQLException {
        execute(EMPTY);
        // every table the relay works on: after a warm-up their statistics still said 80,000 rows
        execute("VACUUM ANALYZE event_outbox, iu_route_delivery, iu_route_attempt, iu_route_dead_letter");
    }

    /**
     * {@code events} pending events of one type, inserted in one statement, then analysed. Returns when
     * the insert committed ({@link System#nanoTime}): the relay sees none of them before, so a section
     * timed from here times the relay alone, as the raw loop is timed after its own backlog (inserting
     * 100,000 took 1.7 s, a sixth of the log route's dispatch time, when it was timed too).
     */
    long backlog(String eventType, int events) throws SQLException {
        execute(BACKLOG, eventType, events, "pending");
        long committed = System.nanoTime();
        execute("ANALYZE event_outbox");
        return committed;
    }

    /** Dispatched events of one type without deliveries ({@link #BACKLOG}); returns the id before the first. */
    long dispatchedEvents(String eventType, int events) throws SQLException {
        long before = count("SELECT coalesce(max(id), 0) FROM event_outbox");
        execute(BACKLOG, eventType, events, "dispatched");
        execute("ANALYZE event_outbox");
        return before;
    }

    /** {@code count} dispatched events of the type, each with its delivery on the route delivered: history as retention keeps it; none for 0. */
    void history(String eventType, String routeKey, int count) throws SQLException {
        if (count > 0) {
            deliveries(eventType, routeKey, "delivered", dispatchedEvents(eventType, count), count);
            execute("VACUUM ANALYZE event_outbox, iu_route_delivery");
        }
    }

    /** Deliveries on {@code routeKey} in this status for the next {@code count} events of the type after {@code afterId}; returns the last event's id. */
    synchronized long deliveries(String eventType, String routeKey, String status, long afterId, int count) throws SQLException {
        // on the kept connection: top-ups on new connections took four times as long (10.2 s against 2.5)
        try (PreparedStatement ps = kept().prepareStatement(DELIVERIES)) {
            ps.setString(1, eventType);
            ps.setLong(2, afterId);
            ps.setInt(3, count);
            ps.setString(4, routeKey);
            ps.setString(5, status);
            ps.setLong(6, afterId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * On one connection kept for the purpose: the benchmarks poll counts ten times a second, and a
     * new connection each time (a backend started, a scram-sha-256 handshake) would take a share of
     * the CPU the relay is measured on.
     */
    synchronized long count(String sql) throws SQLException {
        try (PreparedStatement ps = kept().prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private Connection kept() throws SQLException {
        if (keptConnection == null) {
            keptConnection = owner.getConnection();
        }
        return keptConnection;
    }

    void execute(String sql, Object... params) throws SQLException {
        try (Connection c = owner.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.execute();
        }
    }

    private String queryString(String sql) throws SQLException {
        try (Connection c = owner.getConnection(); PreparedStatement ps = c.prepareStatement(sql);
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }

    private DataSource dataSource(String user) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(url());
        ds.setUser(user);
        ds.setPassword(password(user));
        return ds;
    }

    @Override
    public void close() throws IOException {
        try {
            if (keptConnection != null) {
                keptConnection.close();
            }
        } catch (SQLException e) {
            // the server stops next
        }
        server.close();
        try (Stream<Path> paths = Files.walk(dataDir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
