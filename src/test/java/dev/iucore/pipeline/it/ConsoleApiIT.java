package dev.iucore.pipeline.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.iucore.pipeline.api.ConsoleUsers;
import dev.iucore.pipeline.api.Role;
import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.Http11;
import dev.iucore.pipeline.testing.ServiceJar;
import dev.iucore.pipeline.testing.TestDb;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar's `run` with the operator API on: served on its port, a change audited and
 * logged; the console's pages and their scripts (templates and webjars inside the jar) served too.
 */
class ConsoleApiIT {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void theRunningServiceServesTheApiAndAGateOpenedThroughItIsAuditedAndLogged() throws Exception {
        Path users = dir.resolve("users.json");
        String token = ConsoleUsers.newToken();
        ConsoleUsers.loadOrEmpty(users).with(ConsoleUsers.newUser("alice", Role.OPERATOR, null, token)).save(users);
        int port = TestDb.freePort();
        try (ServiceJar service = ServiceJar.start(DB.db(), "api-it", Map.of(Setting.CONSOLE_ENABLED, "true",
                Setting.CONSOLE_PORT, Integer.toString(port), Setting.CONSOLE_USERS_FILE, users.toString()))) {
            HttpClient http = Http11.client();
            String base = "http://127.0.0.1:" + port;
            assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/api/openapi.json")).timeout(WAIT).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/gates")).timeout(WAIT).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
            HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(base + "/login")).timeout(WAIT).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(login.statusCode()).isEqualTo(200);
            assertThat(login.body()).contains("name=\"X-XSRF-TOKEN\"");
            for (String asset : new String[] {"htmx.min.js", "uPlot.iife.min.js", "console.js", "console.css"}) {
                assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/assets/" + asset)).timeout(WAIT).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode()).as(asset).isEqualTo(200);
            }
            HttpResponse<String> opened = http.send(HttpRequest.newBuilder(
                            URI.create(base + "/api/v1/gates/retention_enabled/open"))
                    .header("Authorization", "Bearer " + token).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"reason\": \"through the service\"}")).timeout(WAIT).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(opened.statusCode()).as(opened.body()).isEqualTo(200);
            assertThat(DB.db().query("""
                    SELECT actor, reason, db_user FROM iu_core_gate_audit
                    WHERE gate_name = 'retention_enabled' ORDER BY id DESC LIMIT 1""").get(0))
                    .containsEntry("actor", "alice").containsEntry("reason", "through the service")
                    .containsEntry("db_user", "iu_core_app");
            assertThat(DB.db().query("""
                    SELECT actor, outcome, node FROM iu_command_log WHERE command_name = 'gates open'""").get(0))
                    .containsEntry("actor", "alice").containsEntry("outcome", "ok").containsEntry("node", "api-it");
            assertThat(service.stop()).isZero();
        }
    }
}
