package dev.iucore.pipeline.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.iucore.pipeline.testing.Cli;
import dev.iucore.pipeline.testing.RelayData;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Route changes through the API: the row, its control-audit row and the command-log row, as `routes add|set|enable|disable` leave them. */
class RoutesApiTest {

    @RegisterExtension
    static final ApiFixture API = new ApiFixture();

    private static final String TYPE = "test.api.routed";

    @BeforeAll
    static void aType() {
        API.db().update("INSERT INTO event_type_registry (event_type, delivery_lane, description) VALUES (?, 'live', 'test')", TYPE);
    }

    private static ApiFixture.Response create(String key, String target, String more) {
        return API.post("/api/v1/routes", API.operator(), "{\"route_key\": \"" + key + "\", \"event_type\": \"" + TYPE
                + "\", \"target\": \"" + target + "\", \"reason\": \"change 4711\"" + more + "}");
    }

    private static Map<String, Object> audit(String key) {
        return API.db().query("""
                SELECT operation, actor, reason FROM iu_core_control_audit WHERE row_key = ? ORDER BY id DESC LIMIT 1""", key).get(0);
    }

    @Test
    void creatingARouteWritesItsRowAuditAndLogWithTheCallerAsActor() {
        ApiFixture.Response response = create("api-hook", "https://203.0.113.20/hooks",
                ", \"target_kind\": \"webhook\", \"secret_ref\": \"IU_WEBHOOK_SECRET_API\", \"read_timeout_ms\": 4000,"
                        + " \"enabled\": false");
        assertThat(response.status()).as(String.valueOf(response.body())).isEqualTo(200);
        assertThat(response.body().path("route").path("target").asText()).isEqualTo("https://203.0.113.20/hooks");
        assertThat(response.body().path("route").path("target_kind").asText()).isEqualTo("webhook");
        assertThat(API.db().query("""
                SELECT event_type, secret_ref, read_timeout_ms, enabled FROM iu_outbound_route WHERE route_key = 'api-hook'"""))
                .singleElement().satisfies(row -> assertThat(row).containsEntry("event_type", TYPE)
                        .containsEntry("secret_ref", "IU_WEBHOOK_SECRET_API").containsEntry("read_timeout_ms", 4000)
                        .containsEntry("enabled", false));
        assertThat(audit("api-hook")).containsEntry("operation", "INSERT").containsEntry("actor", "alice")
                .containsEntry("reason", "change 4711");
        Map<String, Object> logged = API.lastLogged("routes add");
        assertThat(logged).containsEntry("actor", "alice").containsEntry("outcome", "ok").containsEntry("exit_code", 0);
        assertThat((String) logged.get("arguments")).contains("--target=https://203.0.113.20/hooks").contains("api-hook");
        // the listing names the new route's fields as the answer did
        ApiFixture.Response list = API.get("/api/v1/routes?event_type=" + TYPE, API.viewer());
        assertThat(list.body().path("routes").findValuesAsText("route_key")).contains("api-hook");
        assertThat(list.body().path("routes").findValuesAsText("target")).contains("https://203.0.113.20/hooks");
    }

    @Test
    void backoffCircuitOrderAndRateAreFieldsOfCreateAndUpdate() {
        ApiFixture.Response created = create("api-tuned", "https://203.0.113.21/t", ", \"backoff_initial_ms\": 250,"
                + " \"backoff_factor\": 3, \"backoff_max_ms\": 30000, \"ordered\": true, \"circuit_failure_threshold\": 2,"
                + " \"circuit_open_ms\": 5000, \"rate_limit_per_second\": 0.5");
        assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(200);
        assertThat(created.body().path("route").path("circuit_failure_threshold").asInt()).isEqualTo(2);
        assertThat(tuning("api-tuned")).isEqualTo("250 3 30000 true 2 5000 0.5");
        assertThat((String) API.lastLogged("routes add").get("arguments")).contains("--backoff-factor=3")
                .contains("--ordered=true").contains("--circuit-open-ms=5000");

        ApiFixture.Response updated = API.patch("/api/v1/routes/api-tuned", API.operator(), """
                {"backoff_factor": 1.25, "ordered": false, "circuit_failure_threshold": 4, "rate_limit_per_second": null,
                 "reason": "a steadier receiver"}""");
        assertThat(updated.status()).as(String.valueOf(updated.body())).isEqualTo(200);
        assertThat(tuning("api-tuned")).isEqualTo("250 1.25 30000 false 4 5000");
        assertThat(API.lastLogged("routes set")).containsEntry("actor", "alice").containsEntry("outcome", "ok");
        assertThat(audit("api-tuned")).containsEntry("operation", "UPDATE").containsEntry("reason", "a steadier receiver");

        ApiFixture.Response tooShort = API.patch("/api/v1/routes/api-tuned", API.operator(),
                "{\"backoff_max_ms\": 10, \"reason\": \"r\"}");
        assertThat(tooShort.status()).isBetween(400, 422);
        assertThat(tuning("api-tuned")).isEqualTo("250 1.25 30000 false 4 5000");
    }

    private static String tuning(String key) {
        return new RelayData(API.db()).tuning(key);
    }

    @Test
    void aDisallowedSchemeIs400WithTheCliMessageAndWritesNothing() {
        Cli.Result cli = Cli.run(API.db().settings(), "routes", "add", "api-ftp", "--event-type", TYPE, "--target",
                "ftp://files.example.test/drop", "--actor", "alice", "--reason", "r");
        String message = cli.err().strip().replaceFirst("^iu-core routes add: ", "");
        assertThat(message).isEqualTo("target scheme of \"ftp://files.example.test/drop\" is not one of [http, https, kafka, log]");
        long audits = API.db().count("iu_core_control_audit");
        ApiFixture.Response response = create("api-ftp", "ftp://files.example.test/drop", "");
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.contentType()).isEqualTo("application/problem+json");
        assertThat(response.body().path("detail").asText()).isEqualTo(message);
        assertThat(response.body().path("command").asText()).isEqualTo("routes add");
        assertThat(response.body().path("outcome").asText()).isEqualTo("refused");
        ApiFixture.Response metadata = create("api-metadata", "http://169.254.169.254/latest/meta-data", "");
        assertThat(metadata.status()).isEqualTo(400);
        assertThat(metadata.body().path("detail").asText()).contains("an internal address");
        ApiFixture.Response secret = create("api-secret", "https://203.0.113.20/x", ", \"secret_ref\": \"IU_DB_PASSWORD\"");
        assertThat(secret.status()).isEqualTo(400);
        assertThat(secret.body().path("detail").asText()).startsWith("secret_ref must name an environment variable IU_WEBHOOK_SECRET_");
        assertThat(API.db().queryLong(
                "SELECT count(*) FROM iu_outbound_route WHERE route_key IN ('api-ftp', 'api-metadata', 'api-secret')")).isZero();
        assertThat(API.db().count("iu_core_control_audit")).isEqualTo(audits);
        assertThat(API.lastLogged("routes add")).containsEntry("outcome", "refused").containsEntry("actor", "alice");
    }

    @Test
    void aTakenKeyIs409AndAnUnknownTypeOrInternalTypeIs400() {
        assertThat(create("api-twice", "log:twice", "").status()).isEqualTo(200);
        ApiFixture.Response again = create("api-twice", "log:twice", "");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.body().path("detail").asText()).startsWith("route \"api-twice\" exists");
        ApiFixture.Response unknown = API.post("/api/v1/routes", API.operator(), """
                {"route_key": "api-unknown", "event_type": "no.such.type", "target": "log:x", "reason": "r"}""");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.body().path("detail").asText()).startsWith("unknown event type \"no.such.type\"");
        ApiFixture.Response internal = API.post("/api/v1/routes", API.operator(), """
                {"route_key": "api-internal", "event_type": "iu.template.instance_auto_composed", "target": "log:x", "reason": "r"}""");
        assertThat(internal.status()).isEqualTo(400);
        assertThat(internal.body().path("detail").asText()).contains("is internal-only: no route may carry it");
    }

    @Test
    void updatingARouteChangesTheFieldsGivenAndANullClears() {
        assertThat(create("api-set", "https://203.0.113.20/a", ", \"secret_ref\": \"IU_WEBHOOK_SECRET_A\"").status()).isEqualTo(200);
        ApiFixture.Response response = API.patch("/api/v1/routes/api-set", API.operator(), """
                {"target": "https://203.0.113.21/b", "secret_ref": null, "rate_limit_per_second": 2.5, "reason": "moved"}""");
        assertThat(response.status()).as(String.valueOf(response.body())).isEqualTo(200);
        assertThat(API.db().query("SELECT target_uri, secret_ref, rate_limit_per_second::text AS rate FROM iu_outbound_route WHERE route_key = 'api-set'"))
                .singleElement().satisfies(row -> assertThat(row).containsEntry("target_uri", "https://203.0.113.21/b")
                        .containsEntry("secret_ref", null).containsEntry("rate", "2.5"));
        assertThat(audit("api-set")).containsEntry("operation", "UPDATE").containsEntry("actor", "alice")
                .containsEntry("reason", "moved");
        assertThat(API.lastLogged("routes set")).containsEntry("actor", "alice").containsEntry("outcome", "ok");
        ApiFixture.Response refused = API.patch("/api/v1/routes/api-set", API.operator(), """
                {"target": "exec:rm", "reason": "r"}""");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body().path("detail").asText()).isEqualTo("target scheme of \"exec:rm\" is not one of [http, https, kafka, log]");
        ApiFixture.Response missing = API.patch("/api/v1/routes/no-such-route", API.operator(), """
                {"description": "x", "reason": "r"}""");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.body().path("detail").asText()).startsWith("no outbound route \"no-such-route\"");
    }

    @Test
    void disablingAndEnablingAreAuditedAndLogged() {
        assertThat(create("api-toggle", "log:toggle", "").status()).isEqualTo(200);
        ApiFixture.Response off = API.post("/api/v1/routes/api-toggle/disable", API.operator(), "{\"reason\": \"incident 8\"}");
        assertThat(off.status()).isEqualTo(200);
        assertThat(off.body().path("enabled").asBoolean()).isFalse();
        assertThat(API.db().queryValue("SELECT enabled FROM iu_outbound_route WHERE route_key = 'api-toggle'")).isEqualTo(false);
        assertThat(audit("api-toggle")).containsEntry("reason", "incident 8").containsEntry("actor", "alice");
        assertThat(API.lastLogged("routes disable")).containsEntry("actor", "alice").containsEntry("outcome", "ok");
        ApiFixture.Response on = API.post("/api/v1/routes/api-toggle/enable", API.operator(), "{\"reason\": \"fixed\"}");
        assertThat(on.status()).isEqualTo(200);
        assertThat(API.db().queryValue("SELECT enabled FROM iu_outbound_route WHERE route_key = 'api-toggle'")).isEqualTo(true);
        assertThat(audit("api-toggle")).containsEntry("reason", "fixed");
        assertThat(API.lastLogged("routes enable")).containsEntry("actor", "alice").containsEntry("outcome", "ok");
        assertThat(API.post("/api/v1/routes/no-such-route/enable", API.operator(), "{\"reason\": \"r\"}").status())
                .isEqualTo(404);
    }

    @Test
    void aViewerMayNotChangeRoutes() {
        long logged = API.logged("routes add");
        ApiFixture.Response add = API.post("/api/v1/routes", API.viewer(), """
                {"route_key": "api-viewer", "event_type": "test.api.routed", "target": "log:x", "reason": "r"}""");
        assertThat(add.status()).isEqualTo(403);
        assertThat(add.contentType()).isEqualTo("application/problem+json");
        assertThat(API.patch("/api/v1/routes/api-hook", API.viewer(), "{\"reason\": \"r\"}").status()).isEqualTo(403);
        assertThat(API.post("/api/v1/routes/api-hook/disable", API.viewer(), "{\"reason\": \"r\"}").status()).isEqualTo(403);
        assertThat(API.logged("routes add")).isEqualTo(logged);
        assertThat(API.db().queryLong("SELECT count(*) FROM iu_outbound_route WHERE route_key = 'api-viewer'")).isZero();
    }
}
