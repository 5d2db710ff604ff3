package dev.iucore.pipeline.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.iucore.pipeline.cli.ExitCode;
import dev.iucore.pipeline.testing.Cli;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.TestDb;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class BoundaryTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INTERNAL = "iu.template.instance_auto_composed";

    private static TestDb db() {
        return DB.db();
    }

    private static Cli.Result verify(String type) {
        return Cli.run(db().settings(), "verify", "boundary", type, "--json");
    }

    @AfterEach
    void restore() {
        db().update("DELETE FROM iu_outbound_route");
        db().update("UPDATE event_type_registry SET delivery_lane = 'delayed' WHERE event_type = ?", INTERNAL);
        db().update("UPDATE iu_core_gate SET gate_value = CASE kind WHEN 'list' THEN '' ELSE 'false' END");
    }

    /**
     * A route for the internal type, as only someone who got around the refusal could write it (the
     * owner disabling its trigger): what verify boundary must still see.
     */
    private static void leakRoute() {
        db().update("ALTER TABLE iu_outbound_route DISABLE TRIGGER iu_outbound_route_internal_only_trg;"
                + " INSERT INTO iu_outbound_route (route_key, event_type, target_uri)"
                + " VALUES ('leak', '" + INTERNAL + "', 'log:leak');"
                + " ALTER TABLE iu_outbound_route ENABLE TRIGGER iu_outbound_route_internal_only_trg");
    }

    @Test
    void aRouteForAnInternalOnlyTypeIsRefusedAndSoIsMarkingARoutedTypeInternalOnly() {
        assertThatThrownBy(() -> db().update(
                "INSERT INTO iu_outbound_route (route_key, event_type, target_uri) VALUES ('leak', ?, 'log:leak')", INTERNAL))
                .hasMessageContaining("is internal-only: no route may carry it");
        assertThatThrownBy(() -> db().update("""
                INSERT INTO iu_sql_event_route (route_key, event_type, action)
                VALUES ('leak-action', ?, 'fn_iu_action_record_vector_sync')""", INTERNAL))
                .hasMessageContaining("is internal-only: no route may carry it");
        assertThat(db().queryLong("SELECT count(*) FROM iu_outbound_route WHERE event_type = ?", INTERNAL)
                + db().queryLong("SELECT count(*) FROM iu_sql_event_route WHERE event_type = ?", INTERNAL)).isZero();

        db().update("INSERT INTO event_type_registry (event_type, delivery_lane, description) VALUES ('test.routed.now', 'live', 'x')");
        db().update("INSERT INTO iu_outbound_route (route_key, event_type, target_uri) VALUES ('routed-now', 'test.routed.now', 'log:x')");
        assertThatThrownBy(() -> db().update("UPDATE event_type_registry SET internal_only = true WHERE event_type = 'test.routed.now'"))
                .hasMessageContaining("has routes: remove them before marking it internal-only");
        assertThat(db().queryValue("SELECT internal_only FROM event_type_registry WHERE event_type = 'test.routed.now'"))
                .isEqualTo(false);
    }

    private static Map<String, Boolean> layers(JsonNode report) {
        Map<String, Boolean> layers = new java.util.LinkedHashMap<>();
        report.get("layers").forEach(l -> layers.put(l.get("id").asText(), l.get("holds").asBoolean()));
        return layers;
    }

    @Test
    void theInternalEventHoldsOnAFreshDatabaseAndTheProbeLeavesNoTrace() throws Exception {
        long events = db().count("event_outbox");
        Cli.Result result = verify(INTERNAL);
        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode report = JSON.readTree(result.out());
        assertThat(report.get("internal_only_holds").asBoolean()).isTrue();
        assertThat(layers(report)).containsExactly(Map.entry("L1", true), Map.entry("L2", true), Map.entry("L3", true));
        JsonNode probe = report.get("probe");
        assertThat(probe.get("status_after_dispatch").asText()).as("the real dispatcher held it").isEqualTo("held");
        assertThat(probe.get("deliveries").asLong()).isZero();
        assertThat(probe.get("attempts").asLong()).isZero();
        assertThat(probe.get("dead_letters").asLong()).isZero();
        assertThat(probe.get("trace_after_rollback").asLong()).isZero();
        assertThat(db().count("event_outbox")).isEqualTo(events);
        assertThat(db().count("iu_route_delivery") + db().count("iu_route_dead_letter")).isZero();
        assertThat(db().query("SELECT internal_only_holds FROM iu_core_event_boundary WHERE event_type = ?", INTERNAL))
                .containsExactly(Map.of("internal_only_holds", true));
    }

    @Test
    void aLiveLaneBreaksLayerOne() throws Exception {
        db().update("UPDATE event_type_registry SET delivery_lane = 'live' WHERE event_type = ?", INTERNAL);
        Cli.Result result = verify(INTERNAL);
        assertThat(result.exitCode()).isEqualTo(ExitCode.FAILED);
        JsonNode report = JSON.readTree(result.out());
        assertThat(layers(report)).containsExactly(Map.entry("L1", false), Map.entry("L2", true), Map.entry("L3", true));
        assertThat(Cli.run(db().settings(), "verify", "boundary", INTERNAL).out())
                .contains("internal_only_holds=false (L1 registry: lane live)");
    }

    @Test
    void aRouteRowBreaksLayerTwo() throws Exception {
        leakRoute();
        JsonNode report = JSON.readTree(verify(INTERNAL).out());
        assertThat(layers(report)).containsExactly(Map.entry("L1", true), Map.entry("L2", false), Map.entry("L3", true));
        assertThat(report.get("internal_only_holds").asBoolean()).isFalse();
    }

    @Test
    void anOpenGateWithTheRouteListedBreaksLayerThreeAndTheProbeSeesTheDelivery() throws Exception {
        db().update("UPDATE event_type_registry SET delivery_lane = 'live' WHERE event_type = ?", INTERNAL);
        leakRoute();
        db().update("UPDATE iu_core_gate SET gate_value = CASE gate_name WHEN 'delivery_enabled' THEN 'true' ELSE 'leak' END "
                + "WHERE gate_name IN ('delivery_enabled', 'delivery_live_routes')");
        Cli.Result result = verify(INTERNAL);
        assertThat(result.exitCode()).isEqualTo(ExitCode.FAILED);
        JsonNode report = JSON.readTree(result.out());
        assertThat(layers(report)).containsExactly(Map.entry("L1", false), Map.entry("L2", false), Map.entry("L3", false));
        JsonNode probe = report.get("probe");
        assertThat(probe.get("status_after_dispatch").asText()).isEqualTo("dispatched");
        assertThat(probe.get("deliveries").asLong()).as("the real relay would deliver it").isEqualTo(1);
        assertThat(probe.get("deliveries_leased").asLong()).isEqualTo(1);
        assertThat(probe.get("trace_after_rollback").asLong()).isZero();
        assertThat(db().count("iu_route_delivery")).as("rolled back").isZero();
        assertThat(db().queryLong("SELECT count(*) FROM event_outbox WHERE aggregate_id = 'boundary-probe'")).isZero();
    }

    @Test
    void anotherTypesRoutesAndOpenGatesLeaveTheInternalTypesBoundaryIntact() throws Exception {
        db().update("INSERT INTO event_type_registry (event_type, delivery_lane, description) VALUES ('test.live.routed', 'live', 'x')");
        db().update("INSERT INTO iu_outbound_route (route_key, event_type, target_uri) VALUES ('routed', 'test.live.routed', 'log:x')");
        db().update("UPDATE iu_core_gate SET gate_value = CASE gate_name WHEN 'delivery_enabled' THEN 'true' ELSE 'routed' END "
                + "WHERE gate_name IN ('delivery_enabled', 'delivery_live_routes')");
        JsonNode report = JSON.readTree(verify("test.live.routed").out());
        assertThat(layers(report)).containsExactly(Map.entry("L1", false), Map.entry("L2", false), Map.entry("L3", false));
        JsonNode internal = JSON.readTree(verify(INTERNAL).out());
        assertThat(internal.get("internal_only_holds").asBoolean()).as("other types' routes do not matter").isTrue();
        db().update("DELETE FROM iu_outbound_route WHERE route_key = 'routed'");
        db().update("DELETE FROM event_type_registry WHERE event_type = 'test.live.routed'");
    }

    @Test
    void pendingEventsOfOthersAreNotTouchedByTheProbe() throws Exception {
        db().update("INSERT INTO event_outbox (event_type, aggregate_type, aggregate_id) SELECT 'iu.collection.created', 'c', 'c-' || i FROM generate_series(1, 600) i");
        String before = String.valueOf(db().queryValue("SELECT string_agg(xmin::text, ',' ORDER BY id) FROM event_outbox"));
        assertThat(verify(INTERNAL).exitCode()).isZero();
        assertThat(String.valueOf(db().queryValue("SELECT string_agg(xmin::text, ',' ORDER BY id) FROM event_outbox"))).isEqualTo(before);
        db().update("DELETE FROM event_outbox");
    }
}
