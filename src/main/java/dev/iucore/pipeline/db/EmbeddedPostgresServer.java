package dev.iucore.pipeline.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL 15 under a data directory, shared by every iu-core process on it.
 *
 * <p>The first process to take {@code iu-core.lock} owns the server: it recovers what a crashed
 * run left behind, starts PostgreSQL on {@code pg/}, and writes {@code iu-core.owner} (pid, port,
 * command). Every other process attaches to that server through the port in the owner file
 * instead of starting a second one on the same directory. The operating system releases the
 * lock when the owner dies, however it dies.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    /** Who is asking: the long-lived service, or a one-shot command. */
    public enum Mode { SERVICE, COMMAND }

    public static final String DATABASE = "iu_core";
    static final String SUPERUSER = "postgres";

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    private static final String LOCK_FILE = "iu-core.lock";
    private static final String OWNER_FILE = "iu-core.owner";
    private static final String CLUSTER_DIR = "pg";
    private static final Duration ATTACH_WAIT = Duration.ofSeconds(60);
    private static final String ROLES_SCRIPT = "db/roles/create_roles.sql";

    private static final String DATABASE_EXISTS = "SELECT 1 FROM pg_database WHERE datname = ?";

    private final Path dataDir;
    private final int port;
    private final EmbeddedPostgres postgres;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final String recovery;

    private EmbeddedPostgresServer(Path dataDir, int port, EmbeddedPostgres postgres,
                                   FileChannel lockChannel, FileLock lock, String recovery) {
        this.dataDir = dataDir;
        this.port = port;
        this.postgres = postgres;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.recovery = recovery;
    }

    /**
     * Starts the server, or attaches to the one another iu-core process runs on this directory.
     *
     * @param durable fsync and synchronous_commit on: always for the service; tests may skip it
     */
    public static EmbeddedPostgresServer startOrAttach(Path dataDir, int port, Mode mode, String command,
                                                       RoleNames roles, boolean durable) {
        Path dir = dataDir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
            Instant deadline = Instant.now().plus(ATTACH_WAIT);
            while (true) {
                FileChannel channel = FileChannel.open(dir.resolve(LOCK_FILE),
                        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = tryLock(channel);
                if (lock != null) {
                    return startOwned(dir, port, command, roles, durable, channel, lock);
                }
                channel.close();
                Optional<Properties> owner = readOwner(dir);
                if (mode == Mode.SERVICE && owner.map(o -> "run".equals(o.getProperty("command"))).orElse(false)) {
                    throw new EmbeddedDatabaseException("another `iu-core run` (pid " + owner.get().getProperty("pid")
                            + ") already serves the embedded database in " + dir
                            + "; stop it first, or point IU_DB_URL at a shared PostgreSQL to run several nodes");
                }
                if (mode == Mode.COMMAND && owner.isPresent() && answers(owner.get())) {
                    int ownerPort = Integer.parseInt(owner.get().getProperty("port"));
                    LOG.debug("attached to the embedded PostgreSQL of pid {} on port {}",
                            owner.get().getProperty("pid"), ownerPort);
                    return new EmbeddedPostgresServer(dir, ownerPort, null, null, null, null);
                }
                if (Instant.now().isAfter(deadline)) {
                    throw new EmbeddedDatabaseException("the embedded database in " + dir + " is held by "
                            + owner.map(o -> "`iu-core " + o.getProperty("command") + "` (pid " + o.getProperty("pid") + ")")
                                    .orElse("another process")
                            + " and did not become available within " + ATTACH_WAIT.toSeconds() + " s");
                }
                Thread.sleep(200);
            }
        } catch (IOException e) {
            throw new EmbeddedDatabaseException("cannot use the data directory " + dir + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EmbeddedDatabaseException("interrupted while waiting for the embedded database in " + dir, e);
        }
    }

    /** Null when another process, or another server object in this JVM, holds the lock. */
    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return null;
        }
    }

    private static EmbeddedPostgresServer startOwned(Path dir, int port, String command, RoleNames roles,
                                                     boolean durable, FileChannel channel, FileLock lock)
            throws IOException {
        try {
            Path cluster = dir.resolve(CLUSTER_DIR);
            Optional<String> recovery = LeftoverServer.recover(cluster);
            boolean fresh = !Files.exists(cluster.resolve("postgresql.conf"));
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(cluster)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setPGStartupWait(Duration.ofMinutes(2))
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    // the server logs to pg/log, so it can outlive a killed JVM without a broken pipe
                    .setServerConfig("logging_collector", "on")
                    .setServerConfig("log_directory", "log");
            if (durable) {
                // the builder turns both off (and passes -F); an outbox that loses commits is no outbox
                builder.setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on");
            }
            EmbeddedPostgres postgres = builder.start();
            EmbeddedPostgresServer server =
                    new EmbeddedPostgresServer(dir, postgres.getPort(), postgres, channel, lock, recovery.orElse(null));
            server.writeOwner(command);
            server.bootstrap(roles);
            LOG.info("embedded PostgreSQL 15 {} on 127.0.0.1:{} (data {})",
                    fresh ? "initialised and started" : "started", postgres.getPort(), cluster);
            return server;
        } catch (RuntimeException | IOException e) {
            lock.release();
            channel.close();
            throw e;
        }
    }

    /** Creates the roles and the database on first start; does nothing when they exist. */
    private void bootstrap(RoleNames roles) {
        DataSource admin = superuser("postgres");
        try (Connection c = admin.getConnection()) {
            try (PreparedStatement set = c.prepareStatement("SELECT set_config(?, ?, false)")) {
                setConfig(set, "iu_core_roles.owner_role", roles.owner());
                setConfig(set, "iu_core_roles.runtime_role", roles.runtime());
            }
            try (Statement s = c.createStatement()) {
                s.execute(SqlScripts.read(ROLES_SCRIPT));
            }
            boolean exists;
            try (PreparedStatement ps = c.prepareStatement(DATABASE_EXISTS)) {
                ps.setString(1, DATABASE);
                try (ResultSet rs = ps.executeQuery()) {
                    exists = rs.next();
                }
            }
            if (!exists) {
                try (Statement s = c.createStatement()) {
                    // identifiers cannot be bound; both names come from our own constants and settings checked by RoleNames
                    s.execute("CREATE DATABASE " + DATABASE + " OWNER " + roles.owner());
                }
                LOG.info("created database {} owned by {}", DATABASE, roles.owner());
            }
        } catch (SQLException e) {
            throw new EmbeddedDatabaseException("cannot prepare roles and database on the embedded PostgreSQL: "
                    + e.getMessage(), e);
        }
    }

    private static void setConfig(PreparedStatement set, String name, String value) throws SQLException {
        set.setString(1, name);
        set.setString(2, value);
        set.execute();
    }

    private void writeOwner(String command) throws IOException {
        Properties owner = new Properties();
        owner.setProperty("pid", Long.toString(ProcessHandle.current().pid()));
        owner.setProperty("port", Integer.toString(port));
        owner.setProperty("command", command);
        owner.setProperty("started_at", Instant.now().toString());
        Path tmp = dataDir.resolve(OWNER_FILE + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            owner.store(out, "iu-core process that owns the embedded PostgreSQL");
        }
        Files.move(tmp, dataDir.resolve(OWNER_FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static Optional<Properties> readOwner(Path dir) {
        Path file = dir.resolve(OWNER_FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Properties owner = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            owner.load(in);
        } catch (IOException e) {
            return Optional.empty();
        }
        return owner.getProperty("port") == null ? Optional.empty() : Optional.of(owner);
    }

    private static boolean answers(Properties owner) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", Integer.parseInt(owner.getProperty("port"))), 500);
            return true;
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    /** What this start recovered from a previous run that did not stop cleanly, if anything. */
    public Optional<String> recovery() {
        return Optional.ofNullable(recovery);
    }

    public int port() {
        return port;
    }

    /** True when this process started the server and stops it on close. */
    public boolean owned() {
        return postgres != null;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The cluster's superuser on one of its databases (trusted locally): creating databases, test fixtures. */
    public DataSource superuser(String database) {
        org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
        ds.setURL(jdbcUrl(database));
        ds.setUser(SUPERUSER);
        return ds;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    @Override
    public void close() {
        if (postgres == null) {
            return;
        }
        try {
            postgres.close();
            Files.deleteIfExists(dataDir.resolve(OWNER_FILE));
            lock.release();
            lockChannel.close();
            LOG.info("embedded PostgreSQL stopped");
        } catch (IOException e) {
            throw new UncheckedIOException("stopping the embedded PostgreSQL", e);
        }
    }

    /** The role names the bootstrap creates; validated because they end up as identifiers. */
    public record RoleNames(String owner, String runtime) {
        public RoleNames {
            for (String name : List.of(owner, runtime)) {
                if (!name.matches("[a-z_][a-z0-9_]*")) {
                    throw new EmbeddedDatabaseException("role name \"" + name
                            + "\" must be lower-case letters, digits and underscores");
                }
            }
        }
    }
}
