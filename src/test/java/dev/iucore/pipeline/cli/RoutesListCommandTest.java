package dev.iucore.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.iucore.pipeline.testing.Cli;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.TestDb;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code routes list}: the route table with why each route delivers or not, and its open and dead work. */
class RoutesListCommandTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TYPE = "test.routes.listed";

    @BeforeAll
    static void routeTable() {
        TestDb db = DB.db();
        RelayData data = new RelayData(db);
        data.registerType(TYPE, "live")
                .route("live-hook", TYPE, "https://hooks.example.test/live")
                .route("quiet-hook", TYPE, "https://hooks.example.test/quiet")
                .route("off-hook", TYPE, "https://hooks.example.test/off", Map.of("enabled", false))
                .route("tripped-hook", TYPE, "kafka:tripped", Map.of("rate_limit_per_second", 2.5,
                        "circuit_failure_threshold", 3))
                .openGates(false, "live-hook", "off-hook", "tripped-hook");
        db.update("""
                INSERT INTO iu_sql_event_route (route_key, event_type, action)
                VALUES ('listed-action', ?, 'fn_iu_action_record_vector_sync')""", TYPE);
        db.update("""
                INSERT INTO iu_route_circuit (route_key, state, consecutive_failures, opened_at, next_probe_at)
                VALUES ('tripped-hook', 'open', 3, now(), now() + interval '1 hour')""");
        UUID event = data.event(TYPE, "a-1", "{}");
        delivery(db, event, "live-hook", "pending");
        long retrying = delivery(db, event, "tripped-hook", "retrying");
        delivery(db, event, "gone-hook", "pending");
        long dead = delivery(db, data.event(TYPE, "a-2", "{}"), "live-hook", "dead");
        deadLetter(db, dead, event, "live-hook", false);
        deadLetter(db, retrying, event, "tripped-hook", true);
        // what dispatch counts when it skips a route the gates do not allow (DispatchTest makes real ones)
        db.update("INSERT INTO iu_route_skip (route_key, reason, events_skipped, last_event_id) VALUES ('quiet-hook', 'not_live', 3, ?)",
                event);
    }

    private static long delivery(TestDb db, UUID event, String routeKey, String status) {
        return db.queryLong("""
                INSERT INTO iu_route_delivery (event_id, outbox_id, aggregate_id, route_kind, route_key, status)
                SELECT event_id, id, aggregate_id, 'outbound', ?, ? FROM event_outbox WHERE event_id = ?
                RETURNING id""", routeKey, status, event);
    }

    private static void deadLetter(TestDb db, long delivery, UUID event, String routeKey, boolean replayed) {
        db.update("""
                INSERT INTO iu_route_dead_letter (delivery_id, event_id, event_type, route_key, reason, event_snapshot,
                                                  replayed_at, replayed_by)
                VALUES (?, ?, ?, ?, 'attempts_exhausted', '{}', CASE WHEN ? THEN now() END, CASE WHEN ? THEN 'ops' END)""",
                delivery, event, TYPE, routeKey, replayed, replayed);
    }

    private static Cli.Result iuCore(String... args) {
        return Cli.run(DB.db().settings(), args);
    }

    @Test
    void eachRouteSaysWhetherItDeliversNowOrWhyNotWithItsOpenAndDeadWork() throws Exception {
        Cli.Result result = iuCore("routes", "list", "--json");
        assertThat(result.exitCode()).isEqualTo(0);
        Map<String, JsonNode> routes = new HashMap<>();
        JSON.readTree(result.out()).get("routes").forEach(r -> routes.put(r.get("route_key").asText(), r));

        assertThat(routes.get("live-hook").get("state").asText()).isEqualTo("delivering");
        assertThat(routes.get("live-hook").get("deliveries_pending").asLong()).isEqualTo(1);
        assertThat(routes.get("live-hook").get("dead_letters_open").asLong()).isEqualTo(1);
        assertThat(routes.get("quiet-hook").get("state").asText()).isEqualTo("gated");
        assertThat(routes.get("quiet-hook").get("live").asBoolean()).isFalse();
        assertThat(routes.get("quiet-hook").get("blocked_by").asText()).isEqualTo("not_live");
        assertThat(routes.get("quiet-hook").get("events_skipped").asLong()).isEqualTo(3);
        assertThat(routes.get("quiet-hook").get("last_skip_reason").asText()).isEqualTo("not_live");
        assertThat(routes.get("live-hook").get("events_skipped").asLong()).isZero();
        assertThat(routes.get("off-hook").get("state").asText()).isEqualTo("disabled");
        JsonNode tripped = routes.get("tripped-hook");
        assertThat(tripped.get("state").asText()).isEqualTo("paused");
        assertThat(tripped.get("circuit_state").asText()).isEqualTo("open");
        assertThat(tripped.get("consecutive_failures").asInt()).isEqualTo(3);
        assertThat(tripped.get("rate_limit_per_second").decimalValue()).isEqualByComparingTo("2.5");
        assertThat(tripped.get("deliveries_retrying").asLong()).isEqualTo(1);
        assertThat(tripped.get("dead_letters_open").asLong()).isZero();
        assertThat(routes.get("listed-action").get("kind").asText()).isEqualTo("sql");
        assertThat(routes.get("listed-action").get("state").asText()).isEqualTo("gated");
        JsonNode gone = routes.get("gone-hook");
        assertThat(gone.get("kind").asText()).isEqualTo("removed");
        assertThat(gone.get("state").asText()).isEqualTo("removed");
        assertThat(gone.get("deliveries_pending").asLong()).isEqualTo(1);
    }

    @Test
    void theTableShowsStateCircuitAndRateAndTheEventTypeFilterNarrowsIt() {
        Cli.Result result = iuCore("routes", "list", "--event-type", TYPE);
        assertThat(result.exitCode()).isEqualTo(0);
        assertThat(result.out()).contains("ROUTE", "STATE", "CIRCUIT", "RATE/S")
                .containsPattern(row("tripped-hook", "outbound", TYPE, "kafka:tripped", "paused", "open 3/3, probe at [^|]+", "2.5",
                        "0", "1", "0", "0"))
                .containsPattern(row("live-hook", "outbound", TYPE, "https://hooks.example.test/live", "delivering",
                        "closed 0/5", "-", "1", "0", "1", "0"))
                .containsPattern(row("quiet-hook", "outbound", TYPE, "https://hooks.example.test/quiet", "gated",
                        "closed 0/5", "-", "0", "0", "0", "3 (not_live)"))
                .doesNotContain("gone-hook")
                .doesNotContain("auto_instantiate");
        assertThat(iuCore("routes", "list", "--event-type", "test.routes.none").out()).contains("no routes for test.routes.none");
        assertThat(DB.db().queryLong("SELECT count(*) FROM iu_command_log WHERE command_name = 'routes list' AND outcome = 'ok'"))
                .isGreaterThanOrEqualTo(2);
    }

    /** A table row: the cells in order, between the table's column separators. */
    private static String row(String... cells) {
        return "(?m)^" + String.join(" *\\| *", Arrays.stream(cells)
                .map(c -> c.contains("[") ? c : Pattern.quote(c)).toList()) + " *$";
    }

    @Test
    void aMissingOptionValueIsAUsageError() {
        Cli.Result result = iuCore("routes", "list", "--event-type");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("--event-type").doesNotContain("Exception");
    }
}
