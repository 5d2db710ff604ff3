package dev.iucore.pipeline.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Gates through the API: the gate, its audit row and the command-log row, as `gates open|close` leave them. */
class GatesApiTest {

    @RegisterExtension
    static final ApiFixture API = new ApiFixture();

    @Test
    void listingShowsEveryGateAndTheAuditTrail() {
        API.post("/api/v1/gates/lifecycle_enabled/open", API.operator(), "{\"reason\": \"listing test\"}");
        ApiFixture.Response response = API.get("/api/v1/gates", API.viewer());
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().path("gates")).hasSize(11);
        assertThat(response.body().path("gates").findValuesAsText("name")).contains("delivery_enabled", "retention_enabled");
        assertThat(response.body().path("audit").findValuesAsText("reason")).contains("listing test");
        ApiFixture.Response history = API.get("/api/v1/gates/lifecycle_enabled/audit", API.viewer());
        assertThat(history.body().path("audit").get(0).path("actor").asText()).isEqualTo("alice");
        assertThat(history.body().path("audit").findValuesAsText("gate_name")).containsOnly("lifecycle_enabled");
    }

    @Test
    void openingAGateIsAuditedAndLoggedWithTheCallerAsActor() {
        ApiFixture.Response response = API.post("/api/v1/gates/retention_enabled/open", API.operator(),
                "{\"reason\": \"retention, change 4712\"}");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().path("open").asBoolean()).isTrue();
        assertThat(API.db().queryValue("SELECT gate_value FROM iu_core_gate WHERE gate_name = 'retention_enabled'"))
                .isEqualTo("true");
        assertThat(API.db().query("""
                SELECT actor, reason, new_value FROM iu_core_gate_audit
                WHERE gate_name = 'retention_enabled' ORDER BY id DESC LIMIT 1""").get(0))
                .containsEntry("actor", "alice").containsEntry("reason", "retention, change 4712")
                .containsEntry("new_value", "true");
        Map<String, Object> logged = API.lastLogged("gates open");
        assertThat(logged).containsEntry("actor", "alice").containsEntry("outcome", "ok").containsEntry("exit_code", 0);
        assertThat((String) logged.get("arguments")).contains("retention_enabled").contains("--reason=retention, change 4712");
        assertThat((String) logged.get("row_deltas")).contains("\"iu_core_gate_audit\": 1");
    }

    @Test
    void closingAGateIsAuditedAndLogged() {
        API.post("/api/v1/gates/vector_sync_enabled/open", API.operator(), "{\"reason\": \"to close it\"}");
        ApiFixture.Response response = API.post("/api/v1/gates/vector_sync_enabled/close", API.operator(),
                "{\"reason\": \"incident 12\"}");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().path("open").asBoolean()).isFalse();
        assertThat(API.db().queryValue("""
                SELECT reason FROM iu_core_gate_audit WHERE gate_name = 'vector_sync_enabled' ORDER BY id DESC LIMIT 1"""))
                .isEqualTo("incident 12");
        assertThat(API.lastLogged("gates close")).containsEntry("actor", "alice").containsEntry("outcome", "ok");
    }

    @Test
    void aListGateWithoutItsValueIsTheCommandsOwnUsageError() {
        ApiFixture.Response response = API.post("/api/v1/gates/delivery_live_routes/open", API.operator(),
                "{\"reason\": \"pilot\"}");
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.contentType()).isEqualTo("application/problem+json");
        assertThat(response.body().path("detail").asText())
                .isEqualTo("gate delivery_live_routes is a list: give --value <route-key,...>");
        assertThat(response.body().path("command").asText()).isEqualTo("gates open");
    }

    @Test
    void aListGateTakesItsValue() {
        ApiFixture.Response response = API.post("/api/v1/gates/delivery_live_routes/open", API.operator(),
                "{\"reason\": \"pilot\", \"value\": \"crm-webhook,audit-log\"}");
        assertThat(response.status()).isEqualTo(200);
        assertThat(API.db().queryValue("SELECT gate_value FROM iu_core_gate WHERE gate_name = 'delivery_live_routes'"))
                .isEqualTo("crm-webhook,audit-log");
    }

    @Test
    void aMissingReasonOrAnUnknownGateIsRefusedBeforeAnythingRuns() {
        long logged = API.logged("gates open");
        assertThat(API.post("/api/v1/gates/retention_enabled/open", API.operator(), "{}").body().path("detail").asText())
                .isEqualTo("reason is required");
        ApiFixture.Response unknown = API.post("/api/v1/gates/no_such_gate/open", API.operator(), "{\"reason\": \"x\"}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.body().path("detail").asText()).contains("no_such_gate");
        assertThat(API.logged("gates open")).isEqualTo(logged);
    }

    @Test
    void requestFieldsStayValuesNeverOptionsOrFiles() {
        ApiFixture.Response response = API.post("/api/v1/gates/envelope_refresh_enabled/open", API.operator(),
                "{\"reason\": \"--value=x\"}");
        assertThat(response.status()).isEqualTo(200);
        ApiFixture.Response file = API.post("/api/v1/gates/envelope_refresh_enabled/close", API.operator(),
                "{\"reason\": \"@/etc/passwd\"}");
        assertThat(file.status()).isEqualTo(200);
        assertThat(API.db().query("""
                SELECT reason FROM iu_core_gate_audit WHERE gate_name = 'envelope_refresh_enabled' ORDER BY id""")
                .stream().map(row -> row.get("reason")).toList()).containsExactly("--value=x", "@/etc/passwd");
        assertThat(API.lastLogged("gates close")).containsEntry("actor", "alice");
    }
}
