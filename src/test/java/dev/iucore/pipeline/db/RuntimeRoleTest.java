package dev.iucore.pipeline.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.iucore.pipeline.testing.DatabaseExtension;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RuntimeRoleTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final String INSUFFICIENT_PRIVILEGE = "42501";

    @ParameterizedTest
    @ValueSource(strings = {
        "CREATE TABLE intruder (id int)",
        "DROP TABLE event_outbox",
        "ALTER TABLE event_outbox ADD COLUMN intruder int",
        "CREATE TRIGGER intruder AFTER INSERT ON event_outbox FOR EACH ROW EXECUTE FUNCTION fn_event_outbox_notify()",
        "CREATE FUNCTION intruder() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        "TRUNCATE event_outbox",
        "INSERT INTO iu_core_gate_audit (gate_name, actor) VALUES ('delivery_enabled', 'forger')",
        "DELETE FROM iu_core_gate_audit",
        "INSERT INTO dot_iu_command_catalog VALUES ('intruder', true, '{}', false, 'x')",
        "INSERT INTO iu_sql_action VALUES ('fn_intruder', 'x')",
        "UPDATE iu_core_gate SET gate_value = 'true' WHERE gate_name = 'delivery_enabled'",
        "INSERT INTO iu_core_gate (gate_name, description) VALUES ('intruder', 'x')",
        "DELETE FROM iu_core_gate",
        // a temporary table would stand in for the real one in that session
        "CREATE TEMP TABLE iu_core_gate (gate_name text, kind text, gate_value text)"
    })
    void runtimeRoleCannotChangeTheSchemaOrTheGovernedTables(String statement) throws SQLException {
        try (Connection c = DB.db().runtime().getConnection(); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.execute(statement))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo(INSUFFICIENT_PRIVILEGE));
        }
        assertThat(DB.db().queryLong("SELECT count(*) FROM pg_tables WHERE tablename = 'intruder'")).isZero();
        assertThat(DB.db().queryLong("SELECT count(*) FROM pg_trigger WHERE tgname = 'intruder'")).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"fn_iu_core_gate_set(text,text,text,text)",
        "fn_iu_command_log_finish(bigint,text,integer,text,jsonb,timestamptz,bigint)"})
    void aFunctionRunningAsTheOwnerIsForTheRuntimeRoleOnlyNotForEveryRole(String function) {
        // pg_read_all_data stands for any other role of the cluster: it has what PUBLIC has
        assertThat(DB.db().queryValue("SELECT has_function_privilege('pg_read_all_data', ?, 'EXECUTE')", function))
                .isEqualTo(false);
        assertThat(DB.db().queryValue("SELECT has_function_privilege('iu_core_app', ?, 'EXECUTE')", function))
                .isEqualTo(true);
    }

    @Test
    void runtimeRoleHasDmlOnTheOutbox() throws SQLException {
        try (Connection c = DB.db().runtime().getConnection(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO event_outbox (event_type, aggregate_type, aggregate_id) VALUES ('iu.collection.created', 'collection', 'c-1')");
            assertThat(s.executeUpdate("UPDATE event_outbox SET status = 'held' WHERE aggregate_id = 'c-1'")).isEqualTo(1);
            assertThat(s.executeUpdate("DELETE FROM event_outbox WHERE aggregate_id = 'c-1'")).isEqualTo(1);
        }
    }
}
