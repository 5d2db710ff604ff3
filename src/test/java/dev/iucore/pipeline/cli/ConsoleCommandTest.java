package dev.iucore.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.iucore.pipeline.api.Caller;
import dev.iucore.pipeline.api.ConsoleUsers;
import dev.iucore.pipeline.api.Role;
import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.testing.Cli;
import dev.iucore.pipeline.testing.DatabaseExtension;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code console add-user} and the service's start with the operator API on. */
class ConsoleCommandTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static Cli.Result iuCore(String... args) {
        return Cli.run(DB.db().settings().with(Setting.ACTOR, "root-ops"), args);
    }

    @Test
    void addUserWritesAnOwnerOnlyFileWithATokenShownOnceAndLogsNoSecret() throws Exception {
        Path file = dir.resolve("users.json");
        Cli.Result result = iuCore("console", "add-user", "--name", "alice", "--role", "operator", "--token",
                "--users-file", file.toString(), "--json");
        assertThat(result.exitCode()).as(result.err()).isZero();
        String token = JSON.readTree(result.out()).path("token").asText();
        assertThat(token).startsWith("iuc_");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readString(file)).doesNotContain(token);
        assertThat(ConsoleUsers.load(file).byToken(token)).contains(new Caller("alice", Role.OPERATOR));
        Map<String, Object> logged = DB.db().query("""
                SELECT actor, outcome, arguments::text AS arguments FROM iu_command_log
                WHERE command_name = 'console add-user' ORDER BY id DESC LIMIT 1""").get(0);
        assertThat(logged).containsEntry("actor", "root-ops").containsEntry("outcome", "ok");
        assertThat((String) logged.get("arguments")).contains("alice").doesNotContain(token);
    }

    @Test
    void aPasswordComesFromStdinAndIsKeptAsAHash() throws Exception {
        Path file = dir.resolve("users.json");
        InputStream stdin = System.in;
        try {
            System.setIn(new ByteArrayInputStream("a viewer's long password\n".getBytes(StandardCharsets.UTF_8)));
            assertThat(iuCore("console", "add-user", "--name", "victor", "--role", "viewer", "--password-stdin",
                    "--users-file", file.toString()).exitCode()).isZero();
        } finally {
            System.setIn(stdin);
        }
        assertThat(Files.readString(file)).doesNotContain("a viewer's long password");
        assertThat(ConsoleUsers.load(file).byPassword("victor", "a viewer's long password".toCharArray()))
                .contains(new Caller("victor", Role.VIEWER));
    }

    @Test
    void addUserRefusesAnUnknownRoleNoCredentialAndAFileOthersMayRead() throws Exception {
        Path file = dir.resolve("users.json");
        Cli.Result role = iuCore("console", "add-user", "--name", "x", "--role", "admin", "--token", "--users-file", file.toString());
        assertThat(role.exitCode()).isEqualTo(2);
        assertThat(role.err()).contains("unknown role `admin`");
        Cli.Result none = iuCore("console", "add-user", "--name", "x", "--role", "viewer", "--users-file", file.toString());
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).contains("--password-stdin, --token");
        Files.writeString(file, "{\"users\": []}");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        Cli.Result open = iuCore("console", "add-user", "--name", "x", "--role", "viewer", "--token", "--users-file", file.toString());
        assertThat(open.exitCode()).isEqualTo(1);
        assertThat(open.err()).contains("must be rw------- (0600)");
        assertThat(Files.readString(file)).isEqualTo("{\"users\": []}");
    }

    @Test
    void theServiceRefusesToStartWithTheApiOnAndAUsersFileOthersMayRead() throws Exception {
        Path file = dir.resolve("users.json");
        Files.writeString(file, "{\"users\": []}");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-r--"));
        Cli.Result result = Cli.run(DB.db().settings().with(Map.of(Setting.CONSOLE_ENABLED, "true",
                Setting.CONSOLE_USERS_FILE, file.toString())), "run");
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("iu-core run: iu.console.users-file: the users file " + file
                + " has mode rw-rw-r--").contains("chmod 600");
        assertThat(result.err()).doesNotContain("\tat ");
    }

    @Test
    void theServiceRefusesToStartWithTheApiOnAndNoUsersFile() {
        Cli.Result result = Cli.run(DB.db().settings().with(Setting.CONSOLE_ENABLED, "true"), "run");
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("iu.console.enabled is true but iu.console.users-file is not set");
    }

    @Test
    void addUserReplacesTheUserOfThatName() throws Exception {
        Path file = dir.resolve("users.json");
        iuCore("console", "add-user", "--name", "bob", "--role", "viewer", "--token", "--users-file", file.toString());
        Cli.Result again = iuCore("console", "add-user", "--name", "bob", "--role", "operator", "--token",
                "--users-file", file.toString(), "--json");
        JsonNode out = JSON.readTree(again.out());
        ConsoleUsers users = ConsoleUsers.load(file);
        assertThat(users.users()).hasSize(1);
        assertThat(users.byToken(out.path("token").asText())).contains(new Caller("bob", Role.OPERATOR));
    }
}
