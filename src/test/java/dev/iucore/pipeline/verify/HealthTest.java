package dev.iucore.pipeline.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.iucore.pipeline.cli.ExitCode;
import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.config.Settings;
import dev.iucore.pipeline.testing.Cli;
import dev.iucore.pipeline.testing.DatabaseExtension;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class HealthTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final ObjectMapper JSON = new ObjectMapper();

    @AfterEach
    void emptyTheQueues() {
        DB.db().update("DELETE FROM iu_route_dead_letter");
        DB.db().update("DELETE FROM event_outbox");
    }

    private static Cli.Result health(Map<Setting, String> limits, String... extra) {
        Settings settings = DB.db().settings().with(limits);
        String[] args = new String[2 + extra.length];
        args[0] = "verify";
        args[1] = "health";
        System.arraycopy(extra, 0, args, 2, extra.length);
        return Cli.run(settings, args);
    }

    private static JsonNode healthJson(Map<Setting, String> limits) throws Exception {
        return JSON.readTree(health(limits, "--json").out());
    }

    private static JsonNode check(JsonNode report, String name) {
        for (JsonNode check : report.get("checks")) {
            if (check.get("name").asText().equals(name)) {
                return check;
            }
        }
        throw new AssertionError("no check " + name + " in " + report);
    }

    private static void pendingEvents(int n, String age) {
        DB.db().update("""
                INSERT INTO event_outbox (event_type, aggregate_type, aggregate_id, created_at)
                SELECT 'iu.collection.created', 'collection', 'c-' || g, now() - ?::interval
                FROM generate_series(1, ?) g""", age, n);
    }

    /** One outbox event with one delivery in the given state; returns the delivery id. */
    private static long delivery(String status, String lockedUntil) {
        DB.db().update("""
                INSERT INTO event_outbox (event_type, aggregate_type, aggregate_id, status, dispatched_at)
                VALUES ('iu.collection.created', 'collection', 'd-1', 'dispatched', now())""");
        return DB.db().queryLong("""
                INSERT INTO iu_route_delivery (event_id, outbox_id, aggregate_id, route_kind, route_key, status,
                                               locked_by, locked_until)
                SELECT event_id, id, aggregate_id, 'outbound', 'crm-webhook', ?, 'node-gone', now() - ?::interval
                FROM event_outbox ORDER BY id DESC LIMIT 1
                RETURNING id""", status, lockedUntil);
    }

    @Test
    void aQuietDatabaseIsHealthy() throws Exception {
        Cli.Result result = health(Map.of());
        assertThat(result.exitCode()).as(result.out() + result.err()).isEqualTo(ExitCode.OK);
        assertThat(result.out()).startsWith("CHECK").contains("HOT TABLE").endsWith("health: healthy\n");
        assertThat(result.out()).containsPattern("(?m)^outbox_backlog\\s+\\| 0\\s+\\| 10000\\s+\\| ok");

        JsonNode json = healthJson(Map.of());
        assertThat(json.get("healthy").asBoolean()).isTrue();
        assertThat(json.get("failures")).isEmpty();
        assertThat(json.get("checks").findValuesAsText("name")).containsExactly("outbox_backlog",
                "oldest_pending_age_seconds", "outbox_held", "deliveries_retrying", "deliveries_dead",
                "dead_letters_open", "stuck_leases");
        assertThat(json.get("tables").findValuesAsText("table")).containsExactly("event_outbox",
                "iu_route_attempt", "iu_route_circuit", "iu_route_dead_letter", "iu_route_delivery");
    }

    @Test
    void anOldPendingEventFailsOnItsAge() throws Exception {
        pendingEvents(2, "2 hours");
        JsonNode json = healthJson(Map.of());
        assertThat(json.get("healthy").asBoolean()).isFalse();
        assertThat(json.get("failures")).hasSize(1);
        assertThat(json.get("failures").get(0).asText()).isEqualTo("oldest_pending_age_seconds");
        assertThat(check(json, "oldest_pending_age_seconds").get("value").asLong()).isBetween(7200L, 7260L);
        assertThat(check(json, "outbox_backlog").get("value").asLong()).isEqualTo(2);
        assertThat(check(json, "outbox_backlog").get("ok").asBoolean()).isTrue();

        Cli.Result lenient = health(Map.of(Setting.HEALTH_MAX_PENDING_AGE_SECONDS, "86400"));
        assertThat(lenient.exitCode()).as("the threshold comes from the settings").isZero();
    }

    @Test
    void aBacklogOverItsLimitFails() {
        pendingEvents(3, "1 second");
        Cli.Result result = health(Map.of(Setting.HEALTH_MAX_BACKLOG, "2"));
        assertThat(result.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(result.out()).containsPattern("(?m)^outbox_backlog\\s+\\| 3\\s+\\| 2\\s+\\| FAIL")
                .endsWith("health: NOT healthy: outbox_backlog\n");
        assertThat(DB.db().count("event_outbox")).as("a health check changes nothing").isEqualTo(3);
    }

    @Test
    void expiredLeasesOnOpenRowsAreStuckOnClosedRowsAreNot() throws Exception {
        DB.db().update("""
                INSERT INTO event_outbox (event_type, aggregate_type, aggregate_id, status, locked_by, locked_until, dispatched_at)
                VALUES ('iu.collection.created', 'collection', 'a', 'pending', 'node-gone', now() - interval '10 minutes', NULL),
                       ('iu.collection.created', 'collection', 'b', 'pending', 'node-alive', now() + interval '1 minute', NULL),
                       ('iu.collection.created', 'collection', 'c', 'pending', 'node-slow', now() - interval '10 seconds', NULL),
                       ('iu.collection.created', 'collection', 'd', 'dispatched', 'node-done', now() - interval '1 hour', now())""");
        delivery("retrying", "10 minutes");
        delivery("delivered", "10 minutes");

        JsonNode json = healthJson(Map.of());
        JsonNode stuck = check(json, "stuck_leases");
        assertThat(stuck.get("value").asLong()).as("one outbox event and one delivery, past the 60 s grace").isEqualTo(2);
        assertThat(stuck.get("detail").asText()).startsWith("1 outbox, 1 delivery");
        assertThat(json.get("failures").toString()).contains("stuck_leases");

        assertThat(check(healthJson(Map.of(Setting.HEALTH_LEASE_GRACE_SECONDS, "3600")), "stuck_leases")
                .get("value").asLong()).as("within a longer grace nothing is stuck").isZero();
    }

    @Test
    void retryingDeliveriesAndOpenDeadLettersCountAgainstTheirLimits() throws Exception {
        long dead = delivery("dead", "1 hour");
        delivery("retrying", "-1 minute");
        delivery("retrying", "-1 minute");
        DB.db().update("""
                INSERT INTO iu_route_dead_letter (delivery_id, event_id, event_type, route_key, reason, event_snapshot,
                                                  replayed_at, replayed_by)
                VALUES (?, gen_random_uuid(), 'iu.collection.created', 'crm-webhook', 'attempts_exhausted', '{}', NULL, NULL),
                       (NULL, gen_random_uuid(), 'iu.nope', NULL, 'unregistered_type', '{}', now(), 'ops')""", dead);

        JsonNode json = healthJson(Map.of(Setting.HEALTH_MAX_RETRYING, "1"));
        assertThat(check(json, "deliveries_retrying").get("value").asLong()).isEqualTo(2);
        assertThat(check(json, "deliveries_retrying").get("ok").asBoolean()).isFalse();
        assertThat(check(json, "deliveries_dead").get("value").asLong()).isEqualTo(1);
        assertThat(check(json, "deliveries_dead").get("threshold").isNull()).as("information only").isTrue();
        assertThat(check(json, "dead_letters_open").get("value").asLong()).as("the replayed one is closed").isEqualTo(1);
        assertThat(json.get("failures").toString()).contains("deliveries_retrying", "dead_letters_open");

        assertThat(health(Map.of(Setting.HEALTH_MAX_RETRYING, "2", Setting.HEALTH_MAX_OPEN_DEAD_LETTERS, "1"))
                .exitCode()).isZero();
    }

    @Test
    void aDeadLetterResolvedWithTheCommandNoLongerFailsHealth() throws Exception {
        long id = DB.db().queryLong("""
                INSERT INTO iu_route_dead_letter (event_id, event_type, reason, event_snapshot)
                VALUES (gen_random_uuid(), 'iu.nope', 'unregistered_type', '{}') RETURNING id""");
        assertThat(health(Map.of()).exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(check(healthJson(Map.of()), "dead_letters_open").get("value").asLong()).isEqualTo(1);

        Cli.Result resolved = Cli.run(DB.db().settings(), "dead-letters", "resolve", Long.toString(id),
                "--actor", "ops", "--reason", "a producer's typo, fixed");
        assertThat(resolved.exitCode()).as(resolved.err()).isZero();

        Cli.Result after = health(Map.of());
        assertThat(after.exitCode()).as(after.out()).isEqualTo(ExitCode.OK);
        assertThat(check(healthJson(Map.of()), "dead_letters_open").get("value").asLong()).isZero();
    }

    @Test
    void aHotTableFullOfDeadTuplesFailsUntilItIsVacuumed() {
        // autovacuum off for this table only, so the dead tuples stay until the test vacuums
        DB.db().update("ALTER TABLE iu_route_circuit SET (autovacuum_enabled = false)");
        try {
            DB.db().update("INSERT INTO iu_route_circuit (route_key) SELECT 'route-' || g FROM generate_series(1, 2000) g");
            DB.db().update("DELETE FROM iu_route_circuit WHERE route_key <> 'route-1'");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode circuit = table(healthJson(Map.of()), "iu_route_circuit");
                assertThat(circuit.get("dead_tuples").asLong()).isGreaterThanOrEqualTo(1000);
                assertThat(circuit.get("ok").asBoolean()).isFalse();
            });
            Cli.Result failing = health(Map.of());
            assertThat(failing.exitCode()).isEqualTo(ExitCode.FAILED);
            assertThat(failing.out()).containsPattern("(?m)^iu_route_circuit\\s+\\| \\d+\\s+\\| \\d+\\s+\\| \\d+\\.\\d% +\\| 20\\.0% +\\| FAIL +\\| never")
                    .contains("health: NOT healthy: dead tuples of iu_route_circuit");
            assertThat(health(Map.of(Setting.HEALTH_MAX_DEAD_TUPLE_RATIO, "1")).exitCode()).isZero();

            DB.db().update("VACUUM iu_route_circuit");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode circuit = table(healthJson(Map.of()), "iu_route_circuit");
                assertThat(circuit.get("ok").asBoolean()).isTrue();
                assertThat(circuit.get("last_vacuum").isNull()).as("vacuumed by hand just now").isFalse();
            });
        } finally {
            DB.db().update("DELETE FROM iu_route_circuit");
            DB.db().update("ALTER TABLE iu_route_circuit RESET (autovacuum_enabled)");
        }
    }

    @Test
    void aThresholdThatIsNoNumberIsAClearError() {
        Cli.Result result = health(Map.of(Setting.HEALTH_MAX_DEAD_TUPLE_RATIO, "lots"));
        assertThat(result.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(result.err()).contains("iu.health.max-dead-tuple-ratio (env IU_HEALTH_MAX_DEAD_TUPLE_RATIO) must be a number");
    }

    private static JsonNode table(JsonNode report, String name) {
        for (JsonNode table : report.get("tables")) {
            if (table.get("table").asText().equals(name)) {
                return table;
            }
        }
        throw new AssertionError("no table " + name + " in " + report);
    }
}
