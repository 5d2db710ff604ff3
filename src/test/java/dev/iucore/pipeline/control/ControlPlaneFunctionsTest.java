package dev.iucore.pipeline.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.TestDb;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The audited functions of migration V090, called as the runtime role: they write the route table
 * and the registry, which the role itself still may not, and each change leaves its control-audit
 * row with the actor and reason given.
 */
class ControlPlaneFunctionsTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final String TYPE = "test.control.created";

    @BeforeAll
    static void aType() throws SQLException {
        call("SELECT * FROM fn_iu_core_event_type_register(?, 'live', 'for the route tests', false, 'setup', 'tests')", TYPE);
    }

    @Test
    void theRuntimeRoleAddsARouteThroughTheFunctionAndTheAuditNamesActorAndReason() throws SQLException {
        List<Map<String, Object>> row = call("SELECT * FROM fn_iu_core_route_create('fn-hook', ?::jsonb, 'alice', 'change 4711')",
                "{\"event_type\": \"" + TYPE + "\", \"target_uri\": \"https://203.0.113.7/hooks\", \"read_timeout_ms\": 3000,"
                        + " \"secret_ref\": null}");
        assertThat(row.get(0)).containsEntry("route_key", "fn-hook").containsEntry("read_timeout_ms", 3000)
                .containsEntry("max_attempts", 8).containsEntry("enabled", true).containsEntry("secret_ref", null);
        assertThat(DB.db().query("""
                SELECT operation, actor, reason, db_user, new_row ->> 'target_uri' AS target FROM iu_core_control_audit
                WHERE table_name = 'iu_outbound_route' AND row_key = 'fn-hook'""")).singleElement()
                .satisfies(audit -> assertThat(audit).containsEntry("operation", "INSERT").containsEntry("actor", "alice")
                        .containsEntry("reason", "change 4711").containsEntry("target", "https://203.0.113.7/hooks")
                        .containsEntry("db_user", "iu_core_app"));
    }

    @Test
    void aChangeWritesOnlyTheFieldsGivenAndANullClears() throws SQLException {
        call("SELECT * FROM fn_iu_core_route_create('fn-change', ?::jsonb, 'alice', 'add')",
                "{\"event_type\": \"" + TYPE + "\", \"target_uri\": \"https://203.0.113.7/a\", \"description\": \"first\","
                        + " \"secret_ref\": \"IU_WEBHOOK_SECRET_A\"}");
        Map<String, Object> row = call("SELECT * FROM fn_iu_core_route_update('fn-change', ?::jsonb, 'bob', 'move it')",
                "{\"target_uri\": \"https://203.0.113.8/b\", \"secret_ref\": null}").get(0);
        assertThat(row).containsEntry("target_uri", "https://203.0.113.8/b").containsEntry("secret_ref", null)
                .containsEntry("description", "first");
        assertThat(DB.db().query("""
                SELECT actor, reason, old_row ->> 'target_uri' AS old_target FROM iu_core_control_audit
                WHERE row_key = 'fn-change' AND operation = 'UPDATE'""")).singleElement()
                .satisfies(audit -> assertThat(audit).containsEntry("actor", "bob").containsEntry("reason", "move it")
                        .containsEntry("old_target", "https://203.0.113.7/a"));
    }

    @Test
    void enableAndDisableTurnOutboundAndSqlRoutes() throws SQLException {
        call("SELECT * FROM fn_iu_core_route_create('fn-toggle', ?::jsonb, 'alice', 'add')",
                "{\"event_type\": \"" + TYPE + "\", \"target_uri\": \"log:toggle\"}");
        assertThat(call("SELECT * FROM fn_iu_core_route_set_enabled('fn-toggle', false, 'carol', 'incident 9')").get(0))
                .containsEntry("route_kind", "outbound").containsEntry("was_enabled", true).containsEntry("enabled", false);
        assertThat(DB.db().queryValue("SELECT enabled FROM iu_outbound_route WHERE route_key = 'fn-toggle'")).isEqualTo(false);
        assertThat(call("SELECT * FROM fn_iu_core_route_set_enabled('iu-vector-sync-point', false, 'carol', 'incident 9')").get(0))
                .containsEntry("route_kind", "sql").containsEntry("enabled", false);
        assertThat(DB.db().query("""
                SELECT table_name, actor, reason FROM iu_core_control_audit
                WHERE row_key IN ('fn-toggle', 'iu-vector-sync-point') AND operation = 'UPDATE' ORDER BY id"""))
                .extracting(a -> a.get("table_name") + " " + a.get("actor") + " " + a.get("reason"))
                .containsExactly("iu_outbound_route carol incident 9", "iu_sql_event_route carol incident 9");
        // turning it to what it is already writes nothing
        long audits = DB.db().count("iu_core_control_audit");
        call("SELECT * FROM fn_iu_core_route_set_enabled('fn-toggle', false, 'carol', 'again')");
        assertThat(DB.db().count("iu_core_control_audit")).isEqualTo(audits);
    }

    @Test
    void eventTypesAreRegisteredAndChangedWithTheirAudit() throws SQLException {
        call("SELECT * FROM fn_iu_core_event_type_register('test.control.other', 'delayed', 'other', NULL, 'dave', 'new type')");
        Map<String, Object> changed = call("""
                SELECT * FROM fn_iu_core_event_type_change('test.control.other', 'live', NULL, true, 'dave', 'internal now')""")
                .get(0);
        assertThat(changed).containsEntry("delivery_lane", "live").containsEntry("description", "other")
                .containsEntry("internal_only", true);
        assertThat(DB.db().query("""
                SELECT operation, actor, reason FROM iu_core_control_audit
                WHERE table_name = 'event_type_registry' AND row_key = 'test.control.other' ORDER BY id"""))
                .extracting(a -> a.get("operation") + " " + a.get("actor") + " " + a.get("reason"))
                .containsExactly("INSERT dave new type", "UPDATE dave internal now");
    }

    @Test
    void theRuntimeRoleStillCannotWriteTheTablesItself() {
        assertThatThrownBy(() -> call("INSERT INTO iu_outbound_route (route_key, event_type, target_uri) VALUES ('x', ?, 'log:x') RETURNING 1", TYPE))
                .hasMessageContaining("permission denied");
        assertThatThrownBy(() -> call("UPDATE event_type_registry SET internal_only = true RETURNING 1"))
                .hasMessageContaining("permission denied");
        assertThatThrownBy(() -> call("UPDATE iu_sql_event_route SET enabled = false RETURNING 1"))
                .hasMessageContaining("permission denied");
        // nor call the owner's helpers directly
        assertThatThrownBy(() -> call("SELECT fn_iu_core_control_actor('mallory', 'x', 'y')"))
                .hasMessageContaining("permission denied");
    }

    @Test
    void refusalsCarryTheirSqlStateAndWriteNothing() {
        long audits = DB.db().count("iu_core_control_audit");
        assertState("SELECT * FROM fn_iu_core_route_create('fn-x', '{\"event_type\": \"no.such.type\", \"target_uri\": \"log:x\"}', 'a', 'r')",
                "23503", "unknown event type \"no.such.type\"");
        assertState("SELECT * FROM fn_iu_core_route_create('iu-vector-sync-point', '{\"event_type\": \"" + TYPE + "\", \"target_uri\": \"log:x\"}', 'a', 'r')",
                "23505", "taken by an SQL route");
        assertState("SELECT * FROM fn_iu_core_route_update('no-such-route', '{\"description\": \"x\"}', 'a', 'r')",
                "P0002", "no outbound route \"no-such-route\"");
        assertState("SELECT * FROM fn_iu_core_route_set_enabled('no-such-route', true, 'a', 'r')", "P0002", "no route");
        assertState("SELECT * FROM fn_iu_core_route_create('fn-x', '{\"event_type\": \"" + TYPE + "\", \"target_uri\": \"log:x\", \"created_at\": \"2020-01-01\"}', 'a', 'r')",
                "22023", "not a route field an operator sets: created_at");
        assertState("SELECT * FROM fn_iu_core_route_create('fn-x', '{\"event_type\": \"" + TYPE + "\", \"target_uri\": \"log:x\"}', 'a', ' ')",
                "22023", "a route change needs a reason");
        assertState("SELECT * FROM fn_iu_core_route_create('fn-x', '{\"event_type\": \"iu.template.instance_auto_composed\", \"target_uri\": \"log:x\"}', 'a', 'r')",
                "23514", "event type iu.template.instance_auto_composed is internal-only: no route may carry it (route fn-x, layer 2 of the boundary)");
        assertState("SELECT * FROM fn_iu_core_event_type_register('iu.document.published', 'live', 'x', NULL, 'a', 'r')",
                "23505", "event type \"iu.document.published\" is registered");
        assertState("SELECT * FROM fn_iu_core_event_type_change('no.such.type', 'live', NULL, NULL, 'a', 'r')",
                "P0002", "unknown event type \"no.such.type\"");
        assertState("SELECT * FROM fn_iu_core_event_type_change('iu.vector.synced', NULL, NULL, true, 'a', 'r')",
                "23514", "event type iu.vector.synced has routes: remove them before marking it internal-only");
        assertThat(DB.db().count("iu_core_control_audit")).isEqualTo(audits);
        assertThat(DB.db().queryLong("SELECT count(*) FROM iu_outbound_route WHERE route_key = 'fn-x'")).isZero();
    }

    private static void assertState(String sql, String state, String message) {
        assertThatThrownBy(() -> call(sql)).isInstanceOfSatisfying(SQLException.class, e -> {
            assertThat(e.getSQLState()).as(sql).isEqualTo(state);
            assertThat(e.getMessage()).contains(message);
        });
    }

    /** A statement as the runtime role, in its own transaction; its rows. */
    private static List<Map<String, Object>> call(String sql, Object... params) throws SQLException {
        try (Connection c = DB.db().runtime().getConnection()) {
            return TestDb.query(c, sql, params);
        }
    }
}
