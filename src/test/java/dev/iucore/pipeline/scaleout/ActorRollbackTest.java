package dev.iucore.pipeline.scaleout;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.iucore.pipeline.cli.ExitCode;
import dev.iucore.pipeline.demo.DemoDataLoader;
import dev.iucore.pipeline.testing.Cli;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.TestDb;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code iu-core rollback --actor X}: exactly what X's compositions wrote, and nothing of anyone else. */
class ActorRollbackTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BULK = "bulk-a";
    private static final String OTHER = "bulk-b";
    /** Every table an actor's compositions write, and those the rollback reaches through foreign keys. */
    private static final List<String> TABLES = List.of("iu_piece_collection", "iu_piece_membership",
            "iu_collection_template_instance_lineage", "iu_auto_instantiate_event_log", "event_outbox",
            "iu_route_delivery", "iu_route_attempt", "iu_route_dead_letter", "information_unit");

    @BeforeAll
    static void demoTemplates() throws Exception {
        new DemoDataLoader(DB.db().runtime()).load();
    }

    @BeforeEach
    void twoActorsBatches() {
        TestDb db = DB.db();
        db.update("DELETE FROM iu_auto_instantiate_event_log");
        db.update("DELETE FROM iu_piece_collection");
        db.update("DELETE FROM event_outbox");
        db.update("DELETE FROM iu_route_dead_letter");
        db.update("UPDATE iu_core_gate SET gate_value = 'true' WHERE gate_name = 'scaleout_enabled'");
        assertThat(iuCore("scaleout", "--n", "8", "--templates", ScaleoutCommandTest.MIX, "--actor", BULK).exitCode()).isZero();
        assertThat(iuCore("scaleout", "--n", "3", "--templates", "tpl:wf:onboarding/v2", "--actor", OTHER).exitCode()).isZero();
        db.update("UPDATE iu_core_gate SET gate_value = 'false' WHERE gate_name = 'scaleout_enabled'");
    }

    private static Cli.Result iuCore(String... args) {
        return Cli.run(DB.db().settings(), args);
    }

    private static Map<String, Long> counts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        TABLES.forEach(table -> counts.put(table, DB.db().count(table)));
        return counts;
    }

    /** Every row another actor owns, as it is. */
    private static List<Map<String, Object>> rowsOf(String actor) {
        return DB.db().query("""
                SELECT 'collection' AS kind, id::text AS id, to_jsonb(c)::text AS data FROM iu_piece_collection c WHERE actor = ?
                UNION ALL SELECT 'membership', collection_id || ':' || position, to_jsonb(m)::text FROM iu_piece_membership m WHERE actor = ?
                UNION ALL SELECT 'lineage', id::text, to_jsonb(l)::text FROM iu_collection_template_instance_lineage l WHERE actor = ?
                UNION ALL SELECT 'log', id::text, to_jsonb(g)::text FROM iu_auto_instantiate_event_log g WHERE actor = ?
                UNION ALL SELECT 'event', id::text, to_jsonb(e)::text FROM event_outbox e WHERE actor = ?
                ORDER BY 1, 2""", actor, actor, actor, actor, actor);
    }

    /** One of the actor's events with a delivery, two attempts and a dead letter, as the relay leaves them. */
    private static UUID deliveredAndDeadLettered(String actor) {
        UUID event = UUID.randomUUID();
        DB.db().update("""
                INSERT INTO event_outbox (event_id, event_type, aggregate_type, aggregate_id, actor, status, dispatched_at)
                VALUES (?, 'iu.collection.created', 'collection', 'c-1', ?, 'dispatched', now())""", event, actor);
        DB.db().update("""
                INSERT INTO iu_route_delivery (event_id, outbox_id, aggregate_id, route_kind, route_key, status, attempts)
                SELECT event_id, id, aggregate_id, 'outbound', 'crm', 'dead', 2 FROM event_outbox WHERE event_id = ?""", event);
        DB.db().update("""
                INSERT INTO iu_route_attempt (delivery_id, attempt_no, outcome, node)
                SELECT d.id, n, 'failed', 'test' FROM iu_route_delivery d, generate_series(1, 2) n WHERE d.event_id = ?""", event);
        DB.db().update("""
                INSERT INTO iu_route_dead_letter (delivery_id, event_id, event_type, route_key, reason, event_snapshot)
                SELECT d.id, d.event_id, 'iu.collection.created', 'crm', 'attempts_exhausted', '{}'
                  FROM iu_route_delivery d WHERE d.event_id = ?""", event);
        return event;
    }

    @Test
    void aDryRunCountsPerTableAndTheApplyRemovesExactlyThatAndNothingOfAnotherActor() throws Exception {
        UUID event = deliveredAndDeadLettered(BULK);
        List<Map<String, Object>> otherBefore = rowsOf(OTHER);
        Map<String, Long> before = counts();

        Cli.Result dry = iuCore("rollback", "--actor", BULK, "--dry-run", "--json");

        assertThat(dry.exitCode()).as(dry.err()).isEqualTo(ExitCode.OK);
        Map<String, Long> counted = new LinkedHashMap<>();
        for (JsonNode table : JSON.readTree(dry.out()).get("tables")) {
            if (isKeptAsDelivered(table)) {
                assertThat(table.get("rows").asLong()).as("nothing was delivered: " + table).isZero();
            } else {
                counted.put(table.get("table").asText(), table.get("rows").asLong());
            }
        }
        // 8 instances of 4, 5, 6, 6, 4, 5, 6, 6 pieces; 8 composed events and the delivered one
        assertThat(counted).containsExactly(Map.entry("iu_auto_instantiate_event_log", 8L),
                Map.entry("iu_collection_template_instance_lineage", 8L), Map.entry("iu_piece_membership", 42L),
                Map.entry("iu_piece_collection", 8L), Map.entry("event_outbox", 9L), Map.entry("iu_route_delivery", 1L),
                Map.entry("iu_route_attempt", 2L), Map.entry("iu_route_dead_letter", 1L));
        assertThat(counts()).as("a dry run deletes nothing").isEqualTo(before);

        Cli.Result applied = iuCore("rollback", "--actor", BULK);

        assertThat(applied.exitCode()).as(applied.err()).isEqualTo(ExitCode.OK);
        assertThat(applied.out()).contains("actor bulk-a: 78 rows removed in one transaction");
        Map<String, Long> after = counts();
        counted.forEach((table, rows) -> {
            long removed = table.equals("iu_route_dead_letter") ? 0 : rows;
            assertThat(before.get(table) - after.get(table)).as(table).isEqualTo(removed);
        });
        assertThat(after.get("information_unit")).isEqualTo(before.get("information_unit"));
        assertThat(rowsOf(BULK)).isEmpty();
        assertThat(rowsOf(OTHER)).as("the other actor's rows, unchanged").isEqualTo(otherBefore);
        assertThat(DB.db().query("SELECT event_id, delivery_id FROM iu_route_dead_letter"))
                .as("the dead letter stays, with its event snapshot, no longer linked to a delivery")
                .containsExactly(map("event_id", event, "delivery_id", null));
        assertThat(DB.db().queryValue("""
                SELECT row_deltas::text FROM iu_command_log WHERE command_name = 'rollback' ORDER BY id DESC LIMIT 1"""))
                .isEqualTo("{\"event_outbox\": -9, \"iu_route_attempt\": -2, \"iu_route_delivery\": -1, "
                        + "\"iu_piece_collection\": -8, \"iu_piece_membership\": -42, "
                        + "\"iu_auto_instantiate_event_log\": -8, \"iu_collection_template_instance_lineage\": -8}");

        // once rolled back, the same batch composes again
        DB.db().update("UPDATE iu_core_gate SET gate_value = 'true' WHERE gate_name = 'scaleout_enabled'");
        assertThat(iuCore("scaleout", "--n", "8", "--templates", ScaleoutCommandTest.MIX, "--actor", BULK).out())
                .contains("composed 8 of 8 instances");
    }

    @Test
    void anotherActorsRowsInTheCollectionsRefuseTheRollbackAndNothingIsRemoved() {
        DB.db().update("""
                INSERT INTO iu_piece_membership (collection_id, position, iu_id, actor)
                SELECT c.id, 99, md5('iu:demo:doc:glossary')::uuid, 'editor-eve'
                  FROM iu_piece_collection c WHERE c.actor = ? ORDER BY c.id LIMIT 1""", BULK);
        Map<String, Long> before = counts();

        Cli.Result result = iuCore("rollback", "--actor", BULK);

        assertThat(result.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(result.err()).contains("rollback of actor \"bulk-a\" refused, nothing removed: rows of other actors "
                + "belong to its collections (1 iu_piece_membership)");
        assertThat(counts()).isEqualTo(before);
    }

    @Test
    void anActorWithNothingToRemoveIsNotAnError() {
        Map<String, Long> before = counts();
        Cli.Result result = iuCore("rollback", "--actor", "nobody");
        assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCode.OK);
        assertThat(result.out()).contains("actor nobody: nothing to remove");
        assertThat(counts()).isEqualTo(before);
    }

    /** The rows a rollback keeps because their events were delivered or are in flight. */
    private static boolean isKeptAsDelivered(JsonNode table) {
        String effect = table.get("effect").asText();
        return effect.startsWith("kept:") || effect.startsWith("kept with");
    }

    /** One of the actor's events with a delivery on route {@code crm} in the given state, and {@code attempts} tries. */
    private static UUID eventWithDelivery(String actor, String status, int attempts, boolean leased) {
        UUID event = UUID.randomUUID();
        DB.db().update("""
                INSERT INTO event_outbox (event_id, event_type, aggregate_type, aggregate_id, actor, status, dispatched_at)
                VALUES (?, 'iu.collection.created', 'collection', 'c-2', ?, 'dispatched', now())""", event, actor);
        DB.db().update("""
                INSERT INTO iu_route_delivery (event_id, outbox_id, aggregate_id, route_kind, route_key, status, attempts,
                                               locked_by, locked_until, delivered_at)
                SELECT event_id, id, aggregate_id, 'outbound', 'crm', ?, ?,
                       CASE WHEN ? THEN 'node-x' END, CASE WHEN ? THEN now() + interval '5 minutes' END,
                       CASE WHEN ? = 'delivered' THEN now() END
                  FROM event_outbox WHERE event_id = ?""", status, attempts, leased, leased, status, event);
        DB.db().update("""
                INSERT INTO iu_route_attempt (delivery_id, attempt_no, outcome, node)
                SELECT d.id, n, CASE WHEN n = ? AND d.status = 'delivered' THEN 'delivered' ELSE 'failed' END, 'test'
                  FROM iu_route_delivery d, generate_series(1, ?) n WHERE d.event_id = ?""", attempts, attempts, event);
        return event;
    }

    @Test
    void aRollbackKeepsWhatWasDeliveredOrIsInFlightWithItsAttemptsAndTheDryRunNamesEachEventsFate() throws Exception {
        UUID delivered = eventWithDelivery(BULK, "delivered", 2, false);
        UUID inFlight = eventWithDelivery(BULK, "retrying", 1, true);
        UUID retrying = eventWithDelivery(BULK, "retrying", 3, false);
        List<UUID> composed = DB.db().query("SELECT event_id FROM event_outbox WHERE actor = ? AND event_type = ?",
                BULK, "iu.template.instance_auto_composed").stream().map(r -> (UUID) r.get("event_id")).toList();
        assertThat(composed).hasSize(8);

        Cli.Result dry = iuCore("rollback", "--actor", BULK, "--dry-run", "--json");

        assertThat(dry.exitCode()).as(dry.err()).isEqualTo(ExitCode.OK);
        JsonNode report = JSON.readTree(dry.out());
        Map<String, String> fates = new LinkedHashMap<>();
        report.get("events").forEach(e -> fates.put(e.get("event_id").asText(),
                (e.get("kept").asBoolean() ? "kept: " : "deleted: ") + e.get("reason").asText()));
        Map<String, String> expected = new LinkedHashMap<>();
        composed.forEach(id -> expected.put(id.toString(), "deleted: never delivered"));
        expected.put(delivered.toString(), "kept: delivered to crm");
        expected.put(inFlight.toString(), "kept: in flight on crm");
        expected.put(retrying.toString(), "deleted: never delivered (1 deliveries, 3 attempts)");
        assertThat(fates).containsExactlyInAnyOrderEntriesOf(expected);
        Map<String, Long> rows = new LinkedHashMap<>();
        report.get("tables").forEach(t -> rows.put(t.get("table").asText() + " " + t.get("effect").asText(), t.get("rows").asLong()));
        assertThat(rows).containsEntry("event_outbox deleted: never delivered", 9L)
                .containsEntry("event_outbox kept: delivered or in flight", 2L)
                .containsEntry("iu_route_delivery deleted with their events", 1L)
                .containsEntry("iu_route_attempt deleted with their deliveries", 3L)
                .containsEntry("iu_route_delivery kept with their events", 2L)
                .containsEntry("iu_route_attempt kept with their deliveries", 3L);
        Cli.Result dryTable = iuCore("rollback", "--actor", BULK, "--dry-run");
        assertThat(dryTable.out()).containsPattern("(?m)^" + delivered + " +\\| iu.collection.created +\\| dispatched +\\| kept +\\| delivered to crm$")
                .containsPattern("(?m)^" + retrying + " .*\\| would be deleted +\\| never delivered \\(1 deliveries, 3 attempts\\)$");
        List<Map<String, Object>> keptHistory = DB.db().query("""
                SELECT d.event_id, d.status, a.attempt_no, a.outcome FROM iu_route_delivery d
                  JOIN iu_route_attempt a ON a.delivery_id = d.id WHERE d.event_id IN (?, ?) ORDER BY d.id, a.attempt_no""",
                delivered, inFlight);

        Cli.Result applied = iuCore("rollback", "--actor", BULK);

        assertThat(applied.exitCode()).as(applied.err()).isEqualTo(ExitCode.OK);
        assertThat(DB.db().query("SELECT event_id FROM event_outbox WHERE actor = ? ORDER BY id", BULK))
                .as("only the delivered and the in-flight event stay").extracting(r -> r.get("event_id"))
                .containsExactly(delivered, inFlight);
        assertThat(DB.db().query("""
                SELECT d.event_id, d.status, a.attempt_no, a.outcome FROM iu_route_delivery d
                  JOIN iu_route_attempt a ON a.delivery_id = d.id WHERE d.event_id IN (?, ?) ORDER BY d.id, a.attempt_no""",
                delivered, inFlight)).as("with their deliveries and every attempt").isEqualTo(keptHistory);
        assertThat(DB.db().queryLong("SELECT count(*) FROM iu_route_delivery WHERE event_id = ?", retrying)).isZero();
        assertThat(DB.db().queryLong("SELECT count(*) FROM iu_piece_collection WHERE actor = ?", BULK))
                .as("the compositions go either way: they never left").isZero();
        assertThat(applied.out()).containsPattern("(?m)^" + inFlight + " .*\\| kept +\\| in flight on crm$")
                .contains("actor bulk-a: " + (8 + 8 + 42 + 8 + 9 + 1 + 3) + " rows removed in one transaction");
    }

    private static Map<String, Object> map(String k1, Object v1, String k2, Object v2) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put(k1, v1);
        map.put(k2, v2);
        return map;
    }
}
