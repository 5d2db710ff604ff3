package dev.iucore.pipeline.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.TestDb;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Routes, the registry and the retention policies: read-only for the runtime role, every change audited. */
class ControlPlaneTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static TestDb db() {
        return DB.db();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "INSERT INTO iu_outbound_route (route_key, event_type, target_uri) VALUES ('exfil', 'iu.collection.created', 'https://attacker.example')",
        "UPDATE iu_outbound_route SET target_uri = 'https://attacker.example'",
        "DELETE FROM iu_outbound_route",
        "UPDATE iu_sql_event_route SET enabled = true",
        "UPDATE event_type_registry SET delivery_lane = 'live' WHERE event_type = 'iu.template.instance_auto_composed'",
        "INSERT INTO event_type_registry (event_type, delivery_lane, description) VALUES ('x.y', 'live', 'x')",
        "UPDATE iu_core_retention_policy SET keep_interval = interval '1 hour', enabled = true",
        "DELETE FROM iu_core_retention_policy",
        "INSERT INTO iu_core_control_audit (table_name, row_key, operation, actor) VALUES ('x', 'x', 'INSERT', 'forger')",
        "DELETE FROM iu_core_control_audit"
    })
    void theRuntimeRoleCannotChangeTheControlPlaneOrItsAudit(String statement) throws SQLException {
        long audit = db().count("iu_core_control_audit");
        try (Connection c = db().runtime().getConnection(); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.execute(statement))
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42501"));
        }
        assertThat(db().count("iu_core_control_audit")).isEqualTo(audit);
        assertThat(db().queryLong("SELECT count(*) FROM iu_outbound_route WHERE route_key = 'exfil'")).isZero();
    }

    @Test
    void everyChangeByTheOwnerIsAuditedWithKeyOldNewActorReasonAndDatabaseUser() {
        // the migrations' own changes (V039 marks the internal-only type) are audited too: not this test's
        long before = db().queryLong("SELECT coalesce(max(id), 0) FROM iu_core_control_audit");
        db().update("INSERT INTO event_type_registry (event_type, delivery_lane, description) VALUES ('test.cp.type', 'live', 'x')");
        try (Connection c = db().owner().getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("SELECT set_config('iu_core_audit.actor', 'ops-dana', true), set_config('iu_core_audit.reason', 'change 9', true)");
            s.execute("INSERT INTO iu_outbound_route (route_key, event_type, target_uri) VALUES ('cp-hook', 'test.cp.type', 'https://a.example')");
            s.execute("UPDATE iu_outbound_route SET target_uri = 'https://b.example' WHERE route_key = 'cp-hook'");
            c.commit();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        db().update("UPDATE iu_core_retention_policy SET enabled = true WHERE target = 'iu_route_attempt'");
        db().update("DELETE FROM iu_outbound_route WHERE route_key = 'cp-hook'");

        List<Map<String, Object>> audit = db().query("""
                SELECT table_name, row_key, operation, old_row ->> 'target_uri' AS old_target,
                       new_row ->> 'target_uri' AS new_target, actor, reason, db_user
                  FROM iu_core_control_audit WHERE id > ? ORDER BY id""", before);
        assertThat(audit).extracting(r -> r.get("table_name") + " " + r.get("row_key") + " " + r.get("operation")
                        + " " + r.get("actor") + " " + r.get("reason") + " " + r.get("db_user"))
                .containsExactly(
                        "event_type_registry test.cp.type INSERT iu_core_owner null iu_core_owner",
                        "iu_outbound_route cp-hook INSERT ops-dana change 9 iu_core_owner",
                        "iu_outbound_route cp-hook UPDATE ops-dana change 9 iu_core_owner",
                        "iu_core_retention_policy iu_route_attempt UPDATE iu_core_owner null iu_core_owner",
                        "iu_outbound_route cp-hook DELETE iu_core_owner null iu_core_owner");
        assertThat(audit.get(2)).containsEntry("old_target", "https://a.example").containsEntry("new_target", "https://b.example");
        assertThat(audit.get(4)).containsEntry("old_target", "https://b.example").containsEntry("new_target", null);
    }
}
