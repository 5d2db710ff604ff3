package dev.iucore.pipeline.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Event types through the API: the registry row, its control-audit row and the command-log row, as `event-types register|set` leave them. */
class EventTypesApiTest {

    @RegisterExtension
    static final ApiFixture API = new ApiFixture();

    @Test
    void registeringATypeWritesItsRowAuditAndLog() {
        ApiFixture.Response response = API.post("/api/v1/event-types", API.operator(), """
                {"event_type": "iu.invoice.created", "delivery_lane": "live", "description": "An invoice was created.",
                 "reason": "billing, change 4720"}""");
        assertThat(response.status()).as(String.valueOf(response.body())).isEqualTo(200);
        assertThat(response.body().path("event_type").path("delivery_lane").asText()).isEqualTo("live");
        assertThat(API.db().queryValue("SELECT description FROM event_type_registry WHERE event_type = 'iu.invoice.created'"))
                .isEqualTo("An invoice was created.");
        assertThat(API.db().query("SELECT operation, actor, reason FROM iu_core_control_audit WHERE row_key = 'iu.invoice.created'"))
                .singleElement().satisfies(row -> assertThat(row).containsEntry("operation", "INSERT")
                        .containsEntry("actor", "alice").containsEntry("reason", "billing, change 4720"));
        assertThat(API.lastLogged("event-types register")).containsEntry("actor", "alice").containsEntry("outcome", "ok");
        assertThat(API.get("/api/v1/event-types", API.viewer()).body().path("event_types").findValuesAsText("event_type"))
                .contains("iu.invoice.created");
        ApiFixture.Response again = API.post("/api/v1/event-types", API.operator(), """
                {"event_type": "iu.invoice.created", "delivery_lane": "live", "description": "x", "reason": "r"}""");
        assertThat(again.status()).isEqualTo(409);
    }

    @Test
    void changingATypeIsAuditedAndLogged() {
        API.post("/api/v1/event-types", API.operator(), """
                {"event_type": "iu.invoice.paid", "delivery_lane": "live", "description": "Paid.", "reason": "r"}""");
        ApiFixture.Response response = API.patch("/api/v1/event-types/iu.invoice.paid", API.operator(), """
                {"delivery_lane": "delayed", "internal_only": true, "reason": "batch only"}""");
        assertThat(response.status()).as(String.valueOf(response.body())).isEqualTo(200);
        assertThat(API.db().query("SELECT delivery_lane, internal_only FROM event_type_registry WHERE event_type = 'iu.invoice.paid'"))
                .singleElement().satisfies(row -> assertThat(row).containsEntry("delivery_lane", "delayed")
                        .containsEntry("internal_only", true));
        assertThat(API.db().queryValue("""
                SELECT actor || ' ' || reason FROM iu_core_control_audit WHERE row_key = 'iu.invoice.paid' AND operation = 'UPDATE'"""))
                .isEqualTo("alice batch only");
        assertThat(API.lastLogged("event-types set")).containsEntry("actor", "alice").containsEntry("outcome", "ok");
        assertThat(API.patch("/api/v1/event-types/no.such.type", API.operator(), "{\"description\": \"x\", \"reason\": \"r\"}")
                .status()).isEqualTo(404);
        ApiFixture.Response routed = API.patch("/api/v1/event-types/iu.vector.synced", API.operator(),
                "{\"internal_only\": true, \"reason\": \"r\"}");
        assertThat(routed.status()).isEqualTo(400);
        assertThat(routed.body().path("detail").asText())
                .isEqualTo("event type iu.vector.synced has routes: remove them before marking it internal-only");
    }

    @Test
    void aViewerMayNotChangeTheRegistry() {
        assertThat(API.post("/api/v1/event-types", API.viewer(), """
                {"event_type": "iu.invoice.voided", "delivery_lane": "live", "description": "x", "reason": "r"}""").status())
                .isEqualTo(403);
        assertThat(API.patch("/api/v1/event-types/iu.document.published", API.viewer(), "{\"reason\": \"r\"}").status())
                .isEqualTo(403);
        assertThat(API.db().queryLong("SELECT count(*) FROM event_type_registry WHERE event_type = 'iu.invoice.voided'")).isZero();
    }
}
