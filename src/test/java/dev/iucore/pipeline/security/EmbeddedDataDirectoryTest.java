package dev.iucore.pipeline.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.config.Settings;
import dev.iucore.pipeline.db.Database;
import dev.iucore.pipeline.db.EmbeddedCredentials;
import dev.iucore.pipeline.db.EmbeddedPostgresServer;
import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, items 8 and 1 (upgrade): the binaries come from the data directory only, never from a
 * directory another local user prepared in the old shared location; and a data directory made by
 * an older iu-core (zonky's initdb: trust for every local connection, roles without passwords) is
 * locked down on its first start, its data kept.
 */
class EmbeddedDataDirectoryTest {

    /** Where iu-core used to look for the binaries (zonky's working directory), redirected into the test's own directory. */
    private static final String ZONKY_WORKING_DIR = "ot.epg.working-dir";

    @TempDir
    Path dataDir;

    @Test
    void binariesPlantedWhereTheOldVersionLookedAreNotRunAndTheServersAreTheDataDirectorysOwn(@TempDir Path shared)
            throws Exception {
        // what another local user could prepare in /tmp/embedded-pg: the archive's directory, programs, the "ready" marker
        Path planted = shared.resolve("embedded-pg").resolve("PG-" + archiveMd5());
        Path ran = shared.resolve("planted-binary-ran");
        Files.createDirectories(planted.resolve("bin"));
        for (String program : List.of("initdb", "pg_ctl", "postgres")) {
            Path script = planted.resolve("bin").resolve(program);
            Files.writeString(script, "#!/bin/sh\necho " + program + " >> " + ran + "\nexit 1\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.createFile(planted.resolve(".exists"));

        String previous = System.setProperty(ZONKY_WORKING_DIR, shared.resolve("embedded-pg").toString());
        try (Database database = Database.open(settings(), EmbeddedPostgresServer.Mode.SERVICE, "run", true)) {
            assertThat(ran).doesNotExist();
            long postmaster = Long.parseLong(Files.readAllLines(dataDir.resolve("pg/postmaster.pid")).get(0).trim());
            Path executable = Path.of("/proc", Long.toString(postmaster), "exe").toRealPath();
            assertThat(executable).startsWith(dataDir.toRealPath().resolve("pg-bin"));
            try (Connection c = database.owner().getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT current_setting('server_version_num')")) {
                rs.next();
                assertThat(rs.getInt(1)).isGreaterThanOrEqualTo(150000);
            }
        } finally {
            restore(previous);
        }
        Path binaries = dataDir.resolve("pg-bin");
        assertThat(mode(binaries)).isEqualTo("rwx------");
        try (var installations = Files.list(binaries)) {
            for (Path installation : installations.toList()) {
                assertThat(mode(installation)).isEqualTo("rwx------");
                assertThat(mode(installation.resolve("bin/postgres"))).isEqualTo("rwx------");
            }
        }
    }

    @Test
    void aDataDirectoryOfAnOlderVersionIsLockedDownOnItsFirstStartWithItsDataKept(@TempDir Path zonkyWorkingDir)
            throws Exception {
        olderVersionDataDirectory(zonkyWorkingDir);
        assertThat(Files.readString(dataDir.resolve("pg/pg_hba.conf"))).containsPattern("(?m)^host\\s+all\\s+all\\s+127.0.0.1/32\\s+trust");
        assertThat(mode(dataDir)).isEqualTo("rwxr-xr-x");

        try (Database database = Database.open(settings(), EmbeddedPostgresServer.Mode.SERVICE, "run", true)) {
            String url = database.url();
            assertThat(Files.readAllLines(dataDir.resolve("pg/pg_hba.conf"))).noneMatch(line -> line.contains("trust"));
            assertThatThrownBy(() -> DriverManager.getConnection(url, "postgres", "").close())
                    .hasMessageContaining("pg_hba.conf rejects connection");
            assertThatThrownBy(() -> DriverManager.getConnection(url, "iu_core_owner", "").close())
                    .isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> DriverManager.getConnection(url, "iu_core_app", "anything").close())
                    .hasMessageContaining("password authentication failed for user \"iu_core_app\"");
            String password = EmbeddedCredentials.read(dataDir).password("iu_core_owner");
            try (Connection c = DriverManager.getConnection(url, "iu_core_owner", password); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT v FROM kept")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("written by the older version");
            }
            // the scheduler role Quartz needs from migration 045 on is created, its password generated
            try (Connection c = database.scheduler().orElseThrow().getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT session_user")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("iu_core_scheduler");
            }
        }
        assertThat(mode(dataDir)).isEqualTo("rwx------");
        assertThat(mode(dataDir.resolve(EmbeddedCredentials.FILE))).isEqualTo("rw-------");
    }

    /** What an older iu-core left: zonky's cluster (initdb -A trust), its first-start bootstrap, a table, the umask's modes. */
    private void olderVersionDataDirectory(Path zonkyWorkingDir) throws Exception {
        String previous = System.setProperty(ZONKY_WORKING_DIR, zonkyWorkingDir.toString());
        try (EmbeddedPostgres old = EmbeddedPostgres.builder().setDataDirectory(dataDir.resolve("pg"))
                .setCleanDataDirectory(false).start()) {
            try (Connection c = old.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("SELECT set_config('iu_core_roles.owner_role', 'iu_core_owner', false)");
                s.execute("SELECT set_config('iu_core_roles.runtime_role', 'iu_core_app', false)");
                s.execute(Files.readString(Path.of("sql/roles/create_roles.sql")));
                // an older version knew no scheduler role (migration 045 brought it)
                s.execute("DROP ROLE iu_core_scheduler");
                s.execute("CREATE DATABASE iu_core OWNER iu_core_owner");
            }
            try (Connection c = old.getDatabase("iu_core_owner", "iu_core").getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('written by the older version')");
            }
        } finally {
            restore(previous);
        }
        Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Settings settings() {
        return Settings.load(Map.of(), new Properties()).with(Map.of(
                Setting.DATA_DIR, dataDir.toString(), Setting.NODE_ID, "security-test"));
    }

    /** The name zonky gave the binaries' directory: PG- and the archive's MD5. */
    private static String archiveMd5() throws Exception {
        try (InputStream in = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary("Linux", System.getProperty("os.arch"))) {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(in.readAllBytes()));
        }
    }

    private static void restore(String previous) {
        if (previous == null) {
            System.clearProperty(ZONKY_WORKING_DIR);
        } else {
            System.setProperty(ZONKY_WORKING_DIR, previous);
        }
    }

    private static String mode(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
