package dev.iucore.pipeline.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.iucore.pipeline.cli.InProcessCommands;
import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.db.Database;
import dev.iucore.pipeline.db.EmbeddedPostgresServer;
import dev.iucore.pipeline.testing.Http11;
import dev.iucore.pipeline.testing.TestDb;
import dev.iucore.pipeline.testing.TestPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test class's own migrated database and the operator API and console on it, as {@code run}
 * starts them: the real server on a free loopback port, the real users file (0600), the CLI's
 * commands in process. Two users: operator {@code alice} and viewer {@code victor}, each with a
 * bearer token and the password {@link #PASSWORD}.
 */
public final class ApiFixture implements BeforeAllCallback, AfterAllCallback {

    public static final String OPERATOR = "alice";
    public static final String VIEWER = "victor";
    public static final String PASSWORD = "correct horse battery staple";
    private static final ObjectMapper JSON = new ObjectMapper();

    private TestDb db;
    private Database database;
    private InProcessCommands commands;
    private ApiServer server;
    private Path usersFile;
    private String operatorToken;
    private String viewerToken;
    private final HttpClient http = Http11.builder().connectTimeout(Duration.ofSeconds(5)).build();

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        db = TestPostgres.migratedDatabase();
        usersFile = Files.createTempDirectory("iu-api-users").resolve("users.json");
        operatorToken = ConsoleUsers.newToken();
        viewerToken = ConsoleUsers.newToken();
        ConsoleUsers.loadOrEmpty(usersFile)
                .with(ConsoleUsers.newUser(OPERATOR, Role.OPERATOR, PASSWORD.toCharArray(), operatorToken))
                .with(ConsoleUsers.newUser(VIEWER, Role.VIEWER, PASSWORD.toCharArray(), viewerToken))
                .save(usersFile);
        database = Database.open(db.settings(), EmbeddedPostgresServer.Mode.COMMAND, "api-test", true);
        commands = new InProcessCommands(db.settings(), database);
        server = start(false);
    }

    /** A server on this database, with or without Secure cookies; {@link #server()} is one, the caller closes others. */
    public ApiServer start(boolean secureCookies) {
        return ApiServer.start("127.0.0.1", 0, secureCookies,
                Integer.parseInt(Setting.CONSOLE_SIGN_IN_FAILURES.defaultValue()), ConsoleUsers.load(usersFile),
                database.runtime(), commands);
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

    ApiServer server() {
        return server;
    }

    public TestDb db() {
        return db;
    }

    Path usersFile() {
        return usersFile;
    }

    String operator() {
        return "Bearer " + operatorToken;
    }

    String viewer() {
        return "Bearer " + viewerToken;
    }

    public String url(String path) {
        return url(server, path);
    }

    public static String url(ApiServer server, String path) {
        return "http://127.0.0.1:" + server.port() + path;
    }

    Response get(String path, String authorization) {
        return send(HttpRequest.newBuilder(URI.create(url(path))).GET(), authorization);
    }

    Response post(String path, String authorization, String json) {
        return send(HttpRequest.newBuilder(URI.create(url(path)))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)), authorization);
    }

    Response patch(String path, String authorization, String json) {
        return send(HttpRequest.newBuilder(URI.create(url(path)))
                .header("content-type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json)), authorization);
    }

    private Response send(HttpRequest.Builder request, String authorization) {
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(120)).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode body = response.body().isBlank() ? null : JSON.readTree(response.body());
            return new Response(response.statusCode(), response.headers().firstValue("content-type").orElse(""),
                    body, response.headers().map());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The newest command-log row of a command: what the API's call left there. */
    Map<String, Object> lastLogged(String command) {
        List<Map<String, Object>> rows = db.query("""
                SELECT command_name, actor, outcome, exit_code, dry_run, arguments::text AS arguments,
                       row_deltas::text AS row_deltas, message
                FROM iu_command_log WHERE command_name = ? ORDER BY id DESC LIMIT 1""", command);
        return rows.isEmpty() ? Map.of() : rows.get(0);
    }

    long logged(String command) {
        return db.queryLong("SELECT count(*) FROM iu_command_log WHERE command_name = ?", command);
    }

    record Response(int status, String contentType, JsonNode body, Map<String, List<String>> headers) {
    }
}
