package dev.iucore.pipeline.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.iucore.pipeline.cli.ExitCode;
import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.config.Settings;
import dev.iucore.pipeline.db.Database;
import dev.iucore.pipeline.db.EmbeddedCredentials;
import dev.iucore.pipeline.db.EmbeddedPostgresServer;
import dev.iucore.pipeline.testing.Cli;
import dev.iucore.pipeline.testing.SystemTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, items 1 and 13, tried against the embedded PostgreSQL as {@code iu-core run} opens it
 * (Database.open as the service, durable, migrated): every way in that a local user had is refused,
 * and what the service writes is readable by its own user only.
 */
class EmbeddedDatabaseAccessTest {

    private static final String OWNER = "iu_core_owner";
    private static final String RUNTIME = "iu_core_app";
    private static final String SCHEDULER = "iu_core_scheduler";

    @TempDir
    static Path dataDir;

    private static Settings settings;
    private static Database database;
    private static String url;

    @BeforeAll
    static void startTheService() {
        settings = Settings.load(Map.of(), new Properties()).with(Map.of(
                Setting.DATA_DIR, dataDir.toString(), Setting.NODE_ID, "security-test"));
        database = Database.open(settings, EmbeddedPostgresServer.Mode.SERVICE, "run", true);
        database.migrator().migrate();
        url = database.url();
    }

    @AfterAll
    static void stopTheService() {
        database.close();
    }

    @Test
    void theSuperuserIsRefusedWithAnyPasswordOrNone() {
        for (String password : new String[] {"", "postgres", EmbeddedCredentials.read(dataDir).password(OWNER)}) {
            assertThatThrownBy(() -> DriverManager.getConnection(url, "postgres", password).close())
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("pg_hba.conf rejects connection for host \"127.0.0.1\", user \"postgres\"");
        }
    }

    @Test
    void theSuperuserCannotLogInEvenWherePgHbaWouldLetItAndHasNoPassword() throws SQLException {
        // pg_roles shows the superuser to every role: it is NOLOGIN, its password field empty
        assertThat(queryAsOwner("SELECT rolcanlogin::text FROM pg_roles WHERE rolname = 'postgres'")).isEqualTo("false");
        assertThat(queryAsOwner("SELECT count(*)::text FROM pg_roles WHERE rolsuper AND rolcanlogin")).isEqualTo("0");
        assertThat(queryAsOwner("SELECT count(*)::text FROM pg_roles WHERE rolname IN ('iu_core_owner', 'iu_core_app', 'iu_core_scheduler') "
                + "AND rolsuper")).isEqualTo("0");
    }

    @Test
    void theOwnerRuntimeAndSchedulerRolesAreRefusedWithoutTheirGeneratedPassword() throws SQLException {
        for (String role : List.of(OWNER, RUNTIME, SCHEDULER)) {
            for (String wrong : new String[] {"", "wrong", role}) {
                assertThatThrownBy(() -> DriverManager.getConnection(url, role, wrong).close())
                        .as("%s with password '%s'", role, wrong)
                        .isInstanceOf(SQLException.class)
                        .hasMessageMatching("(?s).*(password authentication failed for user \"" + role
                                + "\"|The server requested SCRAM-based authentication).*");
            }
            try (Connection c = DriverManager.getConnection(url, role, EmbeddedCredentials.read(dataDir).password(role));
                 Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT current_user")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo(role);
            }
        }
    }

    @Test
    void quartzConnectsAsTheSchedulerRoleWithItsGeneratedPassword() throws SQLException {
        try (Connection c = database.scheduler().orElseThrow().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT session_user")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo(SCHEDULER);
        }
    }

    @Test
    void theOwnerRoleCannotRunAProgramOnTheServer() {
        // the escalation of the issue: COPY ... TO PROGRAM ran as the service's operating-system user
        Path proof = dataDir.resolveSibling(dataDir.getFileName() + "-copy-to-program");
        assertThatThrownBy(() -> queryAsOwner("COPY (SELECT 1) TO PROGRAM 'touch " + proof + "'"))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("must be superuser or have privileges of the pg_execute_server_program role");
        assertThat(proof).doesNotExist();
    }

    @Test
    void noLineOfPgHbaTrustsAndTheServerHasNoUnixSocket() throws Exception {
        List<String> rules = Files.readAllLines(dataDir.resolve("pg/pg_hba.conf")).stream()
                .filter(line -> !line.isBlank() && !line.startsWith("#")).toList();
        assertThat(rules).noneMatch(line -> line.contains("trust")).noneMatch(line -> line.startsWith("local"))
                .allMatch(line -> line.startsWith("host "));
        // no socket of this server in any directory: the kernel's list of Unix sockets
        String port = url.replaceAll(".*:(\\d+)/.*", "$1");
        assertThat(Files.readAllLines(Path.of("/proc/net/unix"))).noneMatch(line -> line.endsWith(".s.PGSQL." + port));
    }

    @Test
    void theDataDirectoryIsOwnerOnlyAndItsFilesAre0600() throws Exception {
        assertThat(mode(dataDir)).isEqualTo("rwx------");
        assertThat(mode(dataDir.resolve("pg"))).isEqualTo("rwx------");
        assertThat(mode(dataDir.resolve("pg-bin"))).isEqualTo("rwx------");
        for (String file : List.of(EmbeddedCredentials.FILE, EmbeddedPostgresServer.OWNER_FILE, "iu-core.lock")) {
            assertThat(mode(dataDir.resolve(file))).as(file).isEqualTo("rw-------");
        }
        assertThat(Files.readString(dataDir.resolve(EmbeddedCredentials.FILE)))
                .contains("127.0.0.1:*:*:iu_core_owner:").contains("127.0.0.1:*:*:iu_core_app:")
                .contains("127.0.0.1:*:*:iu_core_scheduler:")
                .doesNotContain("postgres:");
    }

    @Test
    void aBackupOfTheEmbeddedDatabaseIsWrittenOwnerOnly() throws Exception {
        SystemTools.ensure();
        // a command attaches to the running service with the passwords of the credentials file
        Cli.Result backup = Cli.run(settings, "backup", "--label", "security");
        assertThat(backup.exitCode()).as(backup.err()).isEqualTo(ExitCode.OK);

        Path backups = dataDir.resolve("backups");
        assertThat(mode(backups)).isEqualTo("rwx------");
        try (Stream<Path> files = Files.list(backups)) {
            List<Path> written = files.toList();
            assertThat(written).hasSize(2).anyMatch(f -> f.toString().endsWith(".dump"))
                    .anyMatch(f -> f.toString().endsWith(".sha256"));
            for (Path file : written) {
                assertThat(mode(file)).as(file.toString()).isEqualTo("rw-------");
            }
        }
    }

    private static String mode(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    private static String queryAsOwner(String sql) throws SQLException {
        try (Connection c = database.owner().getConnection(); Statement s = c.createStatement()) {
            if (!s.execute(sql)) {
                return null;
            }
            try (ResultSet rs = s.getResultSet()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
