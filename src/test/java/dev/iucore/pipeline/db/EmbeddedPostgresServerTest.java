package dev.iucore.pipeline.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.iucore.pipeline.testing.LeftoverPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

class EmbeddedPostgresServerTest {

    private static final EmbeddedPostgresServer.RoleNames ROLES =
            new EmbeddedPostgresServer.RoleNames("iu_core_owner", "iu_core_app");

    @TempDir
    Path dataDir;

    private EmbeddedPostgresServer start(EmbeddedPostgresServer.Mode mode, String command) {
        return EmbeddedPostgresServer.startOrAttach(dataDir, 0, mode, command, ROLES, true);
    }

    @Test
    void theServiceServerIsDurableAndKeepsItsDataAcrossRestarts() throws Exception {
        try (EmbeddedPostgresServer server = start(EmbeddedPostgresServer.Mode.SERVICE, "run")) {
            assertThat(query(server, "SHOW fsync")).isEqualTo("on");
            assertThat(query(server, "SHOW synchronous_commit")).isEqualTo("on");
            assertThat(query(server, "SELECT current_user")).isEqualTo("iu_core_owner");
            execute(server, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('committed before the restart')");
        }
        assertThat(dataDir.resolve("pg/postmaster.pid")).doesNotExist();

        try (EmbeddedPostgresServer server = start(EmbeddedPostgresServer.Mode.SERVICE, "run")) {
            assertThat(server.recovery()).isEmpty();
            assertThat(query(server, "SELECT v FROM kept")).isEqualTo("committed before the restart");
        }
    }

    @Test
    void aCommandAttachesToTheRunningServerInsteadOfStartingASecondOne() throws Exception {
        try (EmbeddedPostgresServer service = start(EmbeddedPostgresServer.Mode.SERVICE, "run")) {
            String postmaster = Files.readString(dataDir.resolve("pg/postmaster.pid"));
            try (EmbeddedPostgresServer command = start(EmbeddedPostgresServer.Mode.COMMAND, "gates list")) {
                assertThat(command.owned()).isFalse();
                assertThat(command.port()).isEqualTo(service.port());
                assertThat(query(command, "SELECT count(*) FROM pg_stat_activity WHERE datname = 'iu_core'")).isNotNull();
            }
            // closing the attached command left the owner's server running, the same postmaster
            assertThat(Files.readString(dataDir.resolve("pg/postmaster.pid"))).isEqualTo(postmaster);
            assertThat(query(service, "SELECT 'still up'")).isEqualTo("still up");
        }
    }

    @Test
    void aSecondServiceIsRefusedWhileARunOwnsTheDirectory() {
        try (EmbeddedPostgresServer service = start(EmbeddedPostgresServer.Mode.SERVICE, "run")) {
            assertThatThrownBy(() -> start(EmbeddedPostgresServer.Mode.SERVICE, "run"))
                    .isInstanceOf(EmbeddedDatabaseException.class)
                    .hasMessageContaining("another `iu-core run` (pid " + ProcessHandle.current().pid() + ")")
                    .hasMessageContaining(dataDir.toAbsolutePath().toString());
            assertThat(service.owned()).isTrue();
        }
    }

    @Test
    void aServerLeftRunningByAKilledProcessIsStoppedAndRestartedWithItsData() throws Exception {
        Process owner = KilledOwner.start(dataDir);
        try {
            try (EmbeddedPostgresServer attached = start(EmbeddedPostgresServer.Mode.COMMAND, "test")) {
                execute(attached, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('before the kill')");
            }
            long orphan = Long.parseLong(Files.readAllLines(dataDir.resolve("pg/postmaster.pid")).get(0).trim());
            owner.destroyForcibly().waitFor();
            assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive)).as("postgres outlives its killed owner")
                    .contains(true);

            try (EmbeddedPostgresServer next = start(EmbeddedPostgresServer.Mode.SERVICE, "run")) {
                assertThat(next.owned()).isTrue();
                assertThat(next.recovery()).hasValueSatisfying(message -> assertThat(message)
                        .contains("pid " + orphan).contains("still running").contains("stopped it"));
                assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false)).isFalse();
                assertThat(query(next, "SELECT v FROM kept")).isEqualTo("before the kill");
            }
        } finally {
            // a failed check must leave neither the owner JVM nor its PostgreSQL running
            owner.destroyForcibly().waitFor();
            LeftoverPostgres.stop(dataDir);
        }
    }

    @Test
    void aStalePidFileFromACrashIsRemovedWithAClearMessage() throws Exception {
        try (EmbeddedPostgresServer first = start(EmbeddedPostgresServer.Mode.SERVICE, "run")) {
            execute(first, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('before the crash')");
        }
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Files.writeString(dataDir.resolve("pg/postmaster.pid"), gone.pid() + "\n" + dataDir.resolve("pg") + "\n");

        try (EmbeddedPostgresServer next = start(EmbeddedPostgresServer.Mode.SERVICE, "run")) {
            assertThat(next.recovery()).hasValueSatisfying(message -> assertThat(message)
                    .contains("crashed").contains("pid " + gone.pid()).contains("no longer running"));
            assertThat(query(next, "SELECT v FROM kept")).isEqualTo("before the crash");
        }
    }

    @Test
    void aLostOrDamagedCredentialsFileIsAClearErrorForACommandAndIsRegeneratedByTheNextStart() throws Exception {
        Path credentials = dataDir.resolve(EmbeddedCredentials.FILE);
        try (EmbeddedPostgresServer service = start(EmbeddedPostgresServer.Mode.SERVICE, "run")) {
            Files.writeString(credentials, "iu_core_owner=secret\n");
            assertThatThrownBy(() -> start(EmbeddedPostgresServer.Mode.COMMAND, "gates list"))
                    .isInstanceOf(EmbeddedDatabaseException.class)
                    .hasMessageContaining(credentials + " is not a libpq password file");
            Files.delete(credentials);
            try (EmbeddedPostgresServer command = start(EmbeddedPostgresServer.Mode.COMMAND, "gates list")) {
                assertThatThrownBy(() -> command.password("iu_core_owner"))
                        .isInstanceOf(EmbeddedDatabaseException.class)
                        .hasMessageContaining("no credentials file " + credentials)
                        .hasMessageContaining("restart `iu-core run` with this version");
            }
        }
        try (EmbeddedPostgresServer next = start(EmbeddedPostgresServer.Mode.SERVICE, "run")) {
            assertThat(query(next, "SELECT current_user")).isEqualTo("iu_core_owner");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(credentials))).isEqualTo("rw-------");
        }
    }

    private static String query(EmbeddedPostgresServer server, String sql) throws SQLException {
        try (Connection c = owner(server).getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void execute(EmbeddedPostgresServer server, String sql) throws SQLException {
        try (Connection c = owner(server).getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static PGSimpleDataSource owner(EmbeddedPostgresServer server) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(server.jdbcUrl(EmbeddedPostgresServer.DATABASE));
        ds.setUser("iu_core_owner");
        ds.setPassword(server.password("iu_core_owner"));
        return ds;
    }
}
