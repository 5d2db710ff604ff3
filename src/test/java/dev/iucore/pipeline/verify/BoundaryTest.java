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
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.CliConnector;
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
        db().update("DELETE FROM event_outbox");
        db().update("DELETE FROM event_type_registry WHERE event_type LIKE 'test.%'");
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

    private static java.util.List<String> releases(JsonNode probe) {
        java.util.List<String> releases = new java.util.ArrayList<>();
        probe.get("releases").forEach(r -> releases.add(r.get("gates").asText() + ": claimed " + r.get("claimed").asBoolean()
                + ", delivery_enabled " + r.get("delivery_enabled").asBoolean() + ", " + r.get("status_after").asText()));
        return releases;
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
        // the delayed lane as the gates stand releases nothing; with the worker gates opened for the
        // probe's transaction it releases the event, through the route table, with zero deliveries
        assertThat(releases(probe)).containsExactly(
                "as the gates stand: claimed false, delivery_enabled false, held",
                "worker gates opened for this transaction: claimed true, delivery_enabled true, dispatched");
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
                .contains("internal_only_holds=false: 2 of 3 layers hold (L2 route table, L3 worker gates); "
                        + "not: L1 registry: lane live, internal-only: the database refuses its routes");
    }

    @Test
    void aRouteRowBreaksLayerTwoAndTheReleaseWithTheGatesOpenedShowsTheDeliveryItWouldMake() throws Exception {
        leakRoute();
        JsonNode report = JSON.readTree(verify(INTERNAL).out());
        assertThat(layers(report)).containsExactly(Map.entry("L1", true), Map.entry("L2", false), Map.entry("L3", true));
        assertThat(report.get("routes_gated").get("holds").asBoolean()).as("delivery_enabled closed").isTrue();
        assertThat(report.get("internal_only_holds").asBoolean()).isFalse();
        JsonNode probe = report.get("probe");
        assertThat(releases(probe)).containsExactly(
                "as the gates stand: claimed false, delivery_enabled false, held",
                "worker gates opened for this transaction: claimed true, delivery_enabled true, dispatched");
        assertThat(probe.get("deliveries").asLong()).as("the leak route, once the gates open").isEqualTo(1);
        assertThat(probe.get("deliveries_leased").asLong()).isEqualTo(1);
        assertThat(db().count("iu_route_delivery")).as("rolled back").isZero();
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
        assertThat(report.get("routes_gated").get("holds").asBoolean()).isFalse();
        JsonNode probe = report.get("probe");
        assertThat(probe.get("status_after_dispatch").asText()).isEqualTo("dispatched");
        assertThat(probe.get("releases")).as("never held: nothing to release").isEmpty();
        assertThat(probe.get("deliveries").asLong()).as("the real relay would deliver it").isEqualTo(1);
        assertThat(probe.get("deliveries_leased").asLong()).isEqualTo(1);
        assertThat(probe.get("trace_after_rollback").asLong()).isZero();
        assertThat(db().count("iu_route_delivery")).as("rolled back").isZero();
        assertThat(db().queryLong("SELECT count(*) FROM event_outbox WHERE aggregate_id = 'boundary-probe'")).isZero();
    }

    /** The field report's case: delivery on, audit-log live; L3 does not hold, and the verdict says so. */
    @Test
    void withDeliveryOnTheWorkerGatesLayerDoesNotHoldAndTheVerdictNamesTheTwoThatDo() throws Exception {
        db().update("INSERT INTO event_type_registry (event_type, delivery_lane, description) VALUES ('test.live.routed', 'live', 'x')");
        db().update("INSERT INTO iu_outbound_route (route_key, event_type, target_uri) VALUES ('audit-log', 'test.live.routed', 'log:x')");
        db().update("UPDATE iu_core_gate SET gate_value = CASE gate_name WHEN 'delivery_enabled' THEN 'true' ELSE 'audit-log' END "
                + "WHERE gate_name IN ('delivery_enabled', 'delivery_live_routes')");
        JsonNode report = JSON.readTree(verify("test.live.routed").out());
        assertThat(layers(report)).containsExactly(Map.entry("L1", false), Map.entry("L2", false), Map.entry("L3", false));

        Cli.Result result = verify(INTERNAL);
        assertThat(result.exitCode()).as("other types' routes do not matter").isZero();
        JsonNode internal = JSON.readTree(result.out());
        assertThat(layers(internal)).containsExactly(Map.entry("L1", true), Map.entry("L2", true), Map.entry("L3", false));
        assertThat(internal.get("layers").get(2).get("detail").asText())
                .isEqualTo("delivery_enabled open, delivery_live_routes audit-log");
        assertThat(internal.get("routes_gated").get("holds").asBoolean()).as("it has no route").isTrue();
        assertThat(internal.get("verdict").asText()).isEqualTo("internal_only_holds=true: 2 of 3 layers hold "
                + "(L1 registry, L2 route table); not: L3 worker gates: delivery_enabled open, delivery_live_routes audit-log");
        // delivery open: the release as the gates stand takes the probe event, and delivers it nowhere
        assertThat(releases(internal.get("probe"))).containsExactly(
                "as the gates stand: claimed true, delivery_enabled true, dispatched");
        assertThat(db().query("""
                SELECT l2_no_routes, routes_gated, l3_worker_gates_closed, layers_holding, internal_only_holds
                  FROM iu_core_event_boundary WHERE event_type = ?""", INTERNAL))
                .containsExactly(Map.of("l2_no_routes", true, "routes_gated", true, "l3_worker_gates_closed", false,
                        "layers_holding", 2, "internal_only_holds", true));
    }

    @Test
    void theReleaseTakesTheProbeEventFirstAndNoOtherHeldEvent() throws Exception {
        db().update("""
                INSERT INTO event_outbox (event_type, aggregate_type, aggregate_id, status)
                SELECT ?, 'c', 'held-' || i, 'held' FROM generate_series(1, 30) i""", INTERNAL);
        db().update("UPDATE iu_core_gate SET gate_value = 'true' WHERE gate_name = 'delivery_enabled'");
        JsonNode report = JSON.readTree(verify(INTERNAL).out());
        assertThat(releases(report.get("probe"))).containsExactly(
                "as the gates stand: claimed true, delivery_enabled true, dispatched");
        assertThat(report.get("internal_only_holds").asBoolean()).isTrue();
        assertThat(db().queryLong("SELECT count(*) FROM event_outbox WHERE status = 'held'")).isEqualTo(30);
    }

    @Test
    void pendingEventsOfOthersAreNotTouchedByTheProbe() throws Exception {
        db().update("INSERT INTO event_outbox (event_type, aggregate_type, aggregate_id) SELECT 'iu.collection.created', 'c', 'c-' || i FROM generate_series(1, 600) i");
        String before = String.valueOf(db().queryValue("SELECT string_agg(xmin::text, ',' ORDER BY id) FROM event_outbox"));
        assertThat(verify(INTERNAL).exitCode()).isZero();
        assertThat(String.valueOf(db().queryValue("SELECT string_agg(xmin::text, ',' ORDER BY id) FROM event_outbox"))).isEqualTo(before);
    }

    @Test
    void allAggregatesEveryInternalOnlyTypeAndNamesTheOneThatFails() throws Exception {
        db().update("""
                INSERT INTO event_type_registry (event_type, delivery_lane, description, internal_only)
                VALUES ('test.internal.second', 'delayed', 'x', true)""");
        Cli.Result holds = Cli.run(db().settings(), "verify", "boundary", "--all", "--json");
        assertThat(holds.exitCode()).as(holds.err()).isZero();
        JsonNode all = JSON.readTree(holds.out());
        assertThat(all.get("internal_types").asInt()).isEqualTo(2);
        assertThat(all.get("min_layers_holding").asInt()).isEqualTo(3);
        assertThat(all.get("types")).extracting(t -> t.get("event_type").asText())
                .containsExactly(INTERNAL, "test.internal.second");
        assertThat(all.get("types")).allSatisfy(t -> assertThat(t.get("probe").get("trace_after_rollback").asLong()).isZero());
        assertThat(db().query("SELECT internal_types, types_holding, min_layers_holding, internal_only_holds FROM iu_core_boundary_invariant"))
                .containsExactly(Map.of("internal_types", 2L, "types_holding", 2L, "min_layers_holding", 3,
                        "internal_only_holds", true));

        db().update("UPDATE event_type_registry SET delivery_lane = 'live' WHERE event_type = 'test.internal.second'");
        Cli.Result broken = Cli.run(db().settings(), "verify", "boundary", "--all");
        assertThat(broken.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(broken.out()).containsPattern("(?m)^test.internal.second\\s+\\| NOT\\s+\\| holds \\| holds \\| holds")
                .contains("BOUNDARY_INVARIANT internal_only_holds=false: 1 of 2 internal-only types hold; "
                        + "not: test.internal.second; fewest layers holding 2 of 3");
        assertThat(db().queryValue("SELECT array_to_string(types_failing, ',') FROM iu_core_boundary_invariant"))
                .isEqualTo("test.internal.second");
        assertThat(db().count("event_outbox")).as("no probe left a trace").isZero();
    }

    /**
     * The cause of the ConcurrentModificationException that once failed the test above: a
     * camel-cli-connector in the probe's context, whose thread registered dev consoles while the
     * context's start iterated them, and whose stop would stop the service's own context in an API
     * call's JVM (config/CamelCliConnector). The race itself is timing; its precondition is not.
     */
    @Test
    void theProbesCamelContextRunsNoCliConnector() throws Exception {
        try (DefaultCamelContext camel = new BoundaryProbe(db().runtime(), db().settings()).dispatchContext()) {
            assertThat(camel.isStarted()).isTrue();
            assertThat(camel.hasService(CliConnector.class)).isNull();
        }
    }

    @Test
    void noInternalOnlyTypeHoldsVacuouslyAndSaysSo() throws Exception {
        db().update("UPDATE event_type_registry SET internal_only = false WHERE event_type = ?", INTERNAL);
        try {
            Cli.Result result = Cli.run(db().settings(), "verify", "boundary", "--all");
            assertThat(result.exitCode()).isZero();
            assertThat(result.out()).contains("BOUNDARY_INVARIANT internal_only_holds=true: 0 of 0 internal-only types hold "
                    + "(the registry marks no type internal-only)");
        } finally {
            db().update("UPDATE event_type_registry SET internal_only = true WHERE event_type = ?", INTERNAL);
        }
    }

    @Test
    void oneTypeOrAllIsAUsageErrorOtherwise() {
        for (String[] args : new String[][] {{"verify", "boundary"}, {"verify", "boundary", INTERNAL, "--all"}}) {
            Cli.Result result = Cli.run(db().settings(), args);
            assertThat(result.exitCode()).isEqualTo(ExitCode.USAGE);
            assertThat(result.err()).contains("give one event type or --all");
        }
    }
}
