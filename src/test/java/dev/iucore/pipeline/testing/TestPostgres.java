package dev.iucore.pipeline.testing;

import dev.iucore.pipeline.db.EmbeddedPostgresServer;
import dev.iucore.pipeline.db.Migrator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * One embedded PostgreSQL per test JVM (started by the product's own EmbeddedPostgresServer, not
 * durable: tests may skip fsync; with the superuser's login kept for this fixture's own databases
 * and roles, which iu-core's server never allows), and a migrated template database every test
 * class clones, so a fresh database costs milliseconds.
 */
public final class TestPostgres {

    public static final String OWNER = "iu_core_owner";
    public static final String RUNTIME = "iu_core_app";
    public static final String SCHEDULER = "iu_core_scheduler";
    private static final String TEMPLATE = "iu_template";
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private static EmbeddedPostgresServer server;
    private static boolean templateReady;

    private TestPostgres() {
    }

    public static synchronized EmbeddedPostgresServer server() {
        if (server == null) {
            Path dataDir;
            try {
                dataDir = Files.createTempDirectory("iu-core-test-pg");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server = EmbeddedPostgresServer.startForTestFixture(dataDir, "test",
                    new EmbeddedPostgresServer.RoleNames(OWNER, RUNTIME, SCHEDULER));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                deleteRecursively(dataDir);
            }, "test-postgres-cleanup"));
        }
        return server;
    }

    /**
     * Stops the server (fast shutdown: every session is cut), leaves it down for {@code outage}, then
     * starts it again on the same port and data, as a database restart looks to the relay. The test
     * databases and their URLs stay valid.
     */
    public static synchronized void restart(java.time.Duration outage) throws InterruptedException {
        EmbeddedPostgresServer running = server();
        running.close();
        Thread.sleep(outage.toMillis());
        server = EmbeddedPostgresServer.startForTestFixture(running.dataDir(), running.port(), "test",
                new EmbeddedPostgresServer.RoleNames(OWNER, RUNTIME, SCHEDULER));
    }

    /** A fresh database with the current schema, cloned from the migrated template. */
    public static synchronized TestDb migratedDatabase() {
        if (!templateReady) {
            admin("DROP DATABASE IF EXISTS " + TEMPLATE);
            admin("CREATE DATABASE " + TEMPLATE + " OWNER " + OWNER);
            new Migrator(ownerDataSource(TEMPLATE), RUNTIME, SCHEDULER).migrate();
            templateReady = true;
        }
        String name = nextName();
        admin("CREATE DATABASE " + name + " TEMPLATE " + TEMPLATE + " OWNER " + OWNER);
        // a clone does not copy database privileges: V024's, as a migrated database has it
        admin("REVOKE TEMPORARY ON DATABASE " + name + " FROM PUBLIC");
        return new TestDb(server(), name);
    }

    /** A fresh database without any schema, for migration tests. */
    public static synchronized TestDb emptyDatabase() {
        String name = nextName();
        admin("CREATE DATABASE " + name + " OWNER " + OWNER);
        return new TestDb(server(), name);
    }

    static void drop(String name) {
        admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    static DataSource ownerDataSource(String database) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(server().jdbcUrl(database));
        ds.setUser(OWNER);
        ds.setPassword(password(OWNER));
        return ds;
    }

    /** A role's generated password (the server's credentials file). */
    public static String password(String role) {
        return server().password(role);
    }

    private static String nextName() {
        return "iu_test_" + ProcessHandle.current().pid() + "_" + SEQUENCE.incrementAndGet();
    }

    /** DDL on the cluster; the names are the fixture's own, never input. */
    private static void admin(String sql) {
        try (Connection c = server().superuser("postgres").getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
