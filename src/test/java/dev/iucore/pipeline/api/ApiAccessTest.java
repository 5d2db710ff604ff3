package dev.iucore.pipeline.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.iucore.pipeline.config.ConfigurationException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Who may call the API: credentials required, viewers read only, the users file guarded. */
class ApiAccessTest {

    @RegisterExtension
    static final ApiFixture API = new ApiFixture();

    @Test
    void noCredentialsIs401WithTheSchemesAndAProblem() {
        ApiFixture.Response response = API.get("/api/v1/gates", null);
        assertThat(response.status()).isEqualTo(401);
        assertThat(response.contentType()).isEqualTo("application/problem+json");
        assertThat(response.headers().get("www-authenticate")).singleElement().asString()
                .contains("Basic").contains("Bearer");
        assertThat(response.body().path("status").asInt()).isEqualTo(401);
        assertThat(response.body().path("detail").asText()).contains("credentials");
    }

    @Test
    void aWrongTokenOrPasswordIs401() {
        assertThat(API.get("/api/v1/gates", "Bearer iuc_not-a-token").status()).isEqualTo(401);
        assertThat(API.get("/api/v1/gates", basic("victor", "wrong password")).status()).isEqualTo(401);
        assertThat(API.get("/api/v1/gates", basic("nobody", ApiFixture.PASSWORD)).status()).isEqualTo(401);
    }

    @Test
    void aViewerReadsWithHisPassword() {
        ApiFixture.Response response = API.get("/api/v1/gates", basic("victor", ApiFixture.PASSWORD));
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().path("gates")).hasSize(11);
    }

    @Test
    void aViewerChangingAnythingIs403AndNothingRuns() {
        long logged = API.logged("gates open");
        long audit = API.db().count("iu_core_gate_audit");
        ApiFixture.Response response = API.post("/api/v1/gates/retention_enabled/open", API.viewer(),
                "{\"reason\": \"should not happen\"}");
        assertThat(response.status()).isEqualTo(403);
        assertThat(response.contentType()).isEqualTo("application/problem+json");
        assertThat(response.body().path("detail").asText()).contains("victor").contains("role viewer");
        assertThat(API.db().queryValue("SELECT gate_value FROM iu_core_gate WHERE gate_name = 'retention_enabled'"))
                .isEqualTo("false");
        assertThat(API.logged("gates open")).isEqualTo(logged);
        assertThat(API.db().count("iu_core_gate_audit")).isEqualTo(audit);
        assertThat(API.post("/api/v1/dead-letters/replay", API.viewer(), "{\"all\": true}").status()).isEqualTo(403);
        assertThat(API.post("/api/v1/batches/retention", API.viewer(), "{\"dry_run\": true}").status()).isEqualTo(403);
    }

    @Test
    void anUnknownOperationIsAProblem404() {
        ApiFixture.Response response = API.get("/api/v1/no-such-thing", API.viewer());
        assertThat(response.status()).isEqualTo(404);
        assertThat(response.contentType()).isEqualTo("application/problem+json");
    }

    @Test
    void theOpenApiDocumentNamesExactlyTheOperationsServed() {
        ApiFixture.Response response = API.get("/api/openapi.json", null);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().path("openapi").asText()).startsWith("3.");
        List<String> documented = new ArrayList<>();
        response.body().path("paths").fields().forEachRemaining(path -> path.getValue().fieldNames()
                .forEachRemaining(method -> documented.add(method + " " + path.getKey())));
        assertThat(documented).containsExactlyInAnyOrderElementsOf(API.server().operations());
    }

    @Test
    void aUsersFileOthersMayReadIsRefusedAtStartSayingHowToFixIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("users.json");
        ConsoleUsers.loadOrEmpty(file).with(ConsoleUsers.newUser("bob", Role.OPERATOR, null, ConsoleUsers.newToken()))
                .save(file);
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> ConsoleUsers.load(file)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("iu.console.users-file").hasMessageContaining("rw-r--r--")
                .hasMessageContaining("chmod 600 " + file);
    }

    @Test
    void theUsersFileHoldsHashesOnly(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("users.json");
        String token = ConsoleUsers.newToken();
        ConsoleUsers.loadOrEmpty(file).with(ConsoleUsers.newUser("carol", Role.VIEWER,
                "a long enough password".toCharArray(), token)).save(file);
        String text = Files.readString(file);
        assertThat(text).doesNotContain("a long enough password").doesNotContain(token).contains("pbkdf2-sha256$600000$");
        ConsoleUsers users = ConsoleUsers.load(file);
        assertThat(users.byToken(token)).contains(new Caller("carol", Role.VIEWER));
        assertThat(users.byPassword("carol", "a long enough password".toCharArray())).contains(new Caller("carol", Role.VIEWER));
        assertThat(users.byPassword("carol", "another password".toCharArray())).isEmpty();
    }

    @Test
    void aBodyThatIsNoJsonObjectOrTooLargeIsAProblem() {
        ApiFixture.Response malformed = API.post("/api/v1/gates/retention_enabled/open", API.operator(), "{\"reason\": ");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.body().path("detail").asText()).isEqualTo("the request body must be a JSON object");
        ApiFixture.Response typed = API.post("/api/v1/gates/retention_enabled/open", API.operator(), "{\"reason\": 7}");
        assertThat(typed.body().path("detail").asText()).isEqualTo("reason must be a string");
        ApiFixture.Response large = API.post("/api/v1/gates/retention_enabled/open", API.operator(),
                "{\"reason\": \"" + "x".repeat(2 << 20) + "\"}");
        assertThat(large.status()).isEqualTo(413);
        assertThat(large.contentType()).isEqualTo("application/problem+json");
        assertThat(API.db().queryValue("SELECT gate_value FROM iu_core_gate WHERE gate_name = 'retention_enabled'"))
                .isEqualTo("false");
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
