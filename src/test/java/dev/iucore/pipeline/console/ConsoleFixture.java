package dev.iucore.pipeline.console;

import dev.iucore.pipeline.api.ApiServer;
import dev.iucore.pipeline.api.ConsoleUsers;
import dev.iucore.pipeline.api.Role;
import dev.iucore.pipeline.cli.InProcessCommands;
import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.config.Settings;
import dev.iucore.pipeline.db.Database;
import dev.iucore.pipeline.db.EmbeddedPostgresServer;
import dev.iucore.pipeline.testing.TestDb;
import dev.iucore.pipeline.testing.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test class's own migrated database and the console on it, started as {@code run} starts it
 * (its settings, a real 0600 users file, the CLI's commands in process) on a free loopback port.
 * Users: operator {@code alice} and viewer {@code victor}, each with a password.
 */
final class ConsoleFixture implements BeforeAllCallback, AfterAllCallback {

    static final String OPERATOR = "alice";
    static final String VIEWER = "victor";
    static final String PASSWORD = "correct horse battery staple";

    private TestDb db;
    private Settings settings;
    private Database database;
    private ApiServer server;
    private Path usersFile;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        db = TestPostgres.migratedDatabase();
        usersFile = Files.createTempDirectory("iu-console-users").resolve("users.json");
        ConsoleUsers.loadOrEmpty(usersFile)
                .with(ConsoleUsers.newUser(OPERATOR, Role.OPERATOR, PASSWORD.toCharArray(), null))
                .with(ConsoleUsers.newUser(VIEWER, Role.VIEWER, PASSWORD.toCharArray(), null))
                .save(usersFile);
        settings = db.settings().with(Map.of(
                Setting.CONSOLE_ENABLED, "true",
                Setting.CONSOLE_HOST, "127.0.0.1",
                Setting.CONSOLE_USERS_FILE, usersFile.toString()));
        database = Database.open(settings, EmbeddedPostgresServer.Mode.COMMAND, "console-test", true);
        server = start(Map.of());
    }

    /** Another console on the same database, with these settings changed; the caller closes it. */
    ApiServer start(Map<Setting, String> overrides) {
        Settings configured = settings.with(Setting.CONSOLE_PORT, Integer.toString(TestDb.freePort())).with(overrides);
        return ApiServer.start(configured, ApiServer.users(configured), database.runtime(),
                new InProcessCommands(configured, database));
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (server != null) {
            server.close();
        }
        if (database != null) {
            database.close();
        }
        if (db != null) {
            db.close();
        }
        if (usersFile != null) {
            Files.deleteIfExists(usersFile);
            Files.deleteIfExists(usersFile.getParent());
        }
    }

    TestDb db() {
        return db;
    }

    String url(String path) {
        return url(server, path);
    }

    static String url(ApiServer server, String path) {
        return "http://127.0.0.1:" + server.port() + path;
    }
}
