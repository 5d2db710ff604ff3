package dev.iucore.pipeline.gates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.TestDb;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class GateFunctionTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @AfterEach
    void closeEveryGate() {
        DB.db().update("UPDATE iu_core_gate SET gate_value = CASE kind WHEN 'list' THEN '' ELSE 'false' END");
    }

    private static boolean open(String gate) {
        return (Boolean) DB.db().queryValue("SELECT fn_iu_core_gate_open(?)", gate);
    }

    @Test
    void elevenGatesAreSeededAllClosed() {
        List<Map<String, Object>> gates = DB.db().query(
                "SELECT gate_name, fn_iu_core_gate_open(gate_name) AS open FROM iu_core_gate ORDER BY gate_name");
        assertThat(gates).hasSize(11);
        assertThat(gates).extracting(g -> g.get("gate_name"))
                .containsExactlyInAnyOrderElementsOf(Arrays.stream(Gate.values()).map(Gate::sqlName).toList());
        assertThat(gates).extracting(g -> g.get("open")).containsOnly(false);
    }

    @Test
    void aMissingGateIsClosedEvenWithALocalOverride() throws SQLException {
        assertThat(open("no_such_gate")).isFalse();
        try (Connection c = DB.db().runtime().getConnection()) {
            c.setAutoCommit(false);
            setLocal(c, "iu_core.no_such_gate", "true");
            assertThat(isOpen(c, "no_such_gate")).isFalse();
            assertThatThrownBy(() -> override(c, "no_such_gate", "true")).hasMessageContaining("unknown gate \"no_such_gate\"");
            c.rollback();
        }
    }

    @Test
    void garbageNullAndEmptyValuesReadClosed() {
        for (String value : new String[] {"yes", "1", "TRUE!", "", "open"}) {
            DB.db().update("UPDATE iu_core_gate SET gate_value = ? WHERE gate_name = 'delivery_enabled'", value);
            assertThat(open("delivery_enabled")).as("value '%s'", value).isFalse();
        }
        DB.db().update("UPDATE iu_core_gate SET gate_value = NULL WHERE gate_name = 'delivery_enabled'");
        assertThat(open("delivery_enabled")).as("NULL").isFalse();
        DB.db().update("UPDATE iu_core_gate SET gate_value = ' True ' WHERE gate_name = 'delivery_enabled'");
        assertThat(open("delivery_enabled")).as("' True '").isTrue();
    }

    @Test
    void aNameThatIsNoValidSettingReadsClosedInsteadOfFailing() {
        assertThat(open("bad name; drop table x")).isFalse();
        assertThat(open(null)).isFalse();
    }

    @Test
    void theInTransactionToggleIsInvisibleToOtherSessionsAndGoneAfterCommit() throws SQLException {
        TestDb db = DB.db();
        try (Connection mine = db.runtime().getConnection(); Connection other = db.runtime().getConnection()) {
            mine.setAutoCommit(false);
            assertThat(override(mine, "scaleout_enabled", "true")).as("open, says the toggle").isTrue();
            assertThat(isOpen(mine, "scaleout_enabled")).isTrue();
            assertThat(GateService.isOpen(mine, Gate.SCALEOUT_ENABLED)).isTrue();
            assertThat(isOpen(other, "scaleout_enabled")).as("a second connection").isFalse();
            mine.commit();
            assertThat(isOpen(mine, "scaleout_enabled")).as("the same session after commit").isFalse();
        }
        assertThat(open("scaleout_enabled")).isFalse();
        assertThat(db.queryValue("SELECT gate_value FROM iu_core_gate WHERE gate_name = 'scaleout_enabled'")).isEqualTo("false");
        assertThat(db.queryLong("SELECT count(*) FROM iu_core_gate_audit WHERE gate_name = 'scaleout_enabled'")).isZero();
    }

    @Test
    void theInTransactionToggleCanAlsoCloseAnOpenGateAndDropItsOverride() throws SQLException {
        DB.db().update("UPDATE iu_core_gate SET gate_value = 'true' WHERE gate_name = 'composer_enabled'");
        try (Connection c = DB.db().runtime().getConnection()) {
            c.setAutoCommit(false);
            assertThat(override(c, "composer_enabled", "false")).isFalse();
            assertThat(isOpen(c, "composer_enabled")).isFalse();
            assertThat(override(c, "composer_enabled", null)).as("override dropped: the stored value again").isTrue();
            c.rollback();
        }
        assertThat(open("composer_enabled")).isTrue();
    }

    @Test
    void theInTransactionToggleRefusesAValueTheGateCannotTake() throws SQLException {
        try (Connection c = DB.db().runtime().getConnection()) {
            c.setAutoCommit(false);
            assertThatThrownBy(() -> override(c, "delivery_enabled", "yes")).hasMessageContaining("takes true or false, not \"yes\"");
            c.rollback();
            assertThat(override(c, "delivery_live_routes", " hook-a, hook-b ")).isTrue();
            assertThat(GateService.items(c, Gate.DELIVERY_LIVE_ROUTES)).containsExactly("hook-a", "hook-b");
            c.rollback();
            assertThat(GateService.items(c, Gate.DELIVERY_LIVE_ROUTES)).isEmpty();
        }
    }

    @Test
    void aSessionLevelSettingOpensNoGateInThisOrALaterTransactionNorForAnotherSession() throws SQLException {
        long auditBefore = DB.db().count("iu_core_gate_audit");
        try (Connection mine = DB.db().runtime().getConnection(); Connection other = DB.db().runtime().getConnection()) {
            setSession(mine, "iu_core.delivery_enabled", "true");
            setSession(mine, "iu_core.delivery_live_routes", "hook-a");
            assertThat(isOpen(mine, "delivery_enabled")).as("its own statement").isFalse();
            mine.setAutoCommit(false);
            setSession(mine, "iu_core.retention_enabled", "true");
            assertThat(isOpen(mine, "retention_enabled")).as("set in this very transaction").isFalse();
            setLocal(mine, "iu_core.composer_enabled", "true");
            assertThat(isOpen(mine, "composer_enabled")).as("a bare value names no transaction").isFalse();
            mine.commit();
            assertThat(isOpen(mine, "delivery_enabled")).as("a later transaction").isFalse();
            assertThat(GateService.items(mine, Gate.DELIVERY_LIVE_ROUTES)).isEmpty();
            assertThat(isOpen(mine, "retention_enabled")).isFalse();
            assertThat(isOpen(other, "delivery_enabled")).as("another session").isFalse();
            mine.rollback();
        }
        assertThat(DB.db().count("iu_core_gate_audit")).isEqualTo(auditBefore);
    }

    @Test
    void anOverrideCopiedToSessionLevelCountsInItsOwnTransactionOnly() throws SQLException {
        try (Connection c = DB.db().runtime().getConnection()) {
            c.setAutoCommit(false);
            override(c, "delivery_enabled", "true");
            // the same text a transaction-local toggle holds, now left behind for the whole session
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT set_config('iu_core.delivery_enabled', current_setting('iu_core.delivery_enabled'), false)")) {
                ps.execute();
            }
            assertThat(isOpen(c, "delivery_enabled")).isTrue();
            c.commit();
            assertThat(isOpen(c, "delivery_enabled")).as("the next transaction, before it has an id").isFalse();
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_current_xact_id()")) {
                ps.execute();
            }
            assertThat(isOpen(c, "delivery_enabled")).as("the next transaction, with an id of its own").isFalse();
            c.rollback();
        }
    }

    @Test
    void theLiveRoutesGateIsAListAndOpenWhenItListsSomething() throws SQLException {
        assertThat(open("delivery_live_routes")).isFalse();
        DB.db().update("UPDATE iu_core_gate SET gate_value = ' hook-a, ,hook-b ' WHERE gate_name = 'delivery_live_routes'");
        assertThat(open("delivery_live_routes")).isTrue();
        try (Connection c = DB.db().runtime().getConnection()) {
            assertThat(GateService.items(c, Gate.DELIVERY_LIVE_ROUTES)).containsExactly("hook-a", "hook-b");
        }
    }

    @Test
    void aDatabaseErrorReadsAsClosed() throws SQLException {
        Connection closed = DB.db().runtime().getConnection();
        closed.close();
        assertThat(GateService.isOpen(closed, Gate.DELIVERY_ENABLED)).isFalse();
        assertThat(GateService.items(closed, Gate.DELIVERY_LIVE_ROUTES)).isEmpty();
    }

    @Test
    void everyPersistentChangeIsAuditedWithActorOldNewAndReason() throws SQLException {
        GateService gates = new GateService(DB.db().runtime());
        GateChange change = gates.set(Gate.RETENTION_ENABLED, "true", "ops-alice", "monthly cleanup");
        assertThat(change.oldValue()).isEqualTo("false");
        assertThat(change.newValue()).isEqualTo("true");
        assertThat(change.open()).isTrue();

        // a plain UPDATE from psql is audited too, under the session user
        DB.db().update("UPDATE iu_core_gate SET gate_value = 'false' WHERE gate_name = 'retention_enabled'");

        List<Map<String, Object>> audit = DB.db().query("""
                SELECT old_value, new_value, actor, reason, changed_at IS NOT NULL AS timed
                FROM iu_core_gate_audit WHERE gate_name = 'retention_enabled' ORDER BY id""");
        assertThat(audit).containsExactly(
                Map.of("old_value", "false", "new_value", "true", "actor", "ops-alice", "reason", "monthly cleanup", "timed", true),
                row("true", "false", "iu_core_owner", null));
    }

    @Test
    void theRuntimeRoleChangesAGateOnlyThroughTheFunctionWhichRecordsItsDatabaseUserBesideTheActor() throws SQLException {
        try (Connection c = DB.db().runtime().getConnection()) {
            c.setAutoCommit(false);
            // the forgery the runtime role once could: name any actor, then UPDATE the table itself
            setSession(c, "iu_core_audit.actor", "someone-else");
            assertThatThrownBy(() -> c.createStatement().execute(
                    "UPDATE iu_core_gate SET gate_value = 'true' WHERE gate_name = 'lifecycle_enabled'"))
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42501"));
            c.rollback();
            setSession(c, "iu_core_audit.actor", "someone-else");
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM fn_iu_core_gate_set('lifecycle_enabled', 'true', 'ops-carol', 'change 7')")) {
                ps.execute();
            }
            c.commit();
        }
        assertThat(DB.db().query("SELECT actor, db_user FROM iu_core_gate_audit WHERE gate_name = 'lifecycle_enabled'"))
                .containsExactly(Map.of("actor", "ops-carol", "db_user", "iu_core_app"));
        assertThat(open("lifecycle_enabled")).isTrue();
    }

    @Test
    void invalidChangesAreRefusedAndChangeNothing() {
        GateService gates = new GateService(DB.db().runtime());
        long auditBefore = DB.db().count("iu_core_gate_audit");
        assertThatThrownBy(() -> gates.set(Gate.DELIVERY_ENABLED, "yes", "ops", "why"))
                .hasMessageContaining("takes true or false");
        assertThatThrownBy(() -> gates.set(Gate.DELIVERY_ENABLED, "true", " ", "why"))
                .hasMessageContaining("needs an actor");
        assertThatThrownBy(() -> gates.set(Gate.DELIVERY_ENABLED, "true", "ops", null))
                .hasMessageContaining("needs a reason");
        assertThatThrownBy(() -> DB.db().query("SELECT * FROM fn_iu_core_gate_set('no_such_gate', 'true', 'ops', 'why')"))
                .hasMessageContaining("unknown gate \"no_such_gate\"");
        assertThat(DB.db().count("iu_core_gate_audit")).isEqualTo(auditBefore);
        assertThat(open("delivery_enabled")).isFalse();
    }

    private static Map<String, Object> row(String oldValue, String newValue, String actor, String reason) {
        Map<String, Object> row = new java.util.LinkedHashMap<>();
        row.put("old_value", oldValue);
        row.put("new_value", newValue);
        row.put("actor", actor);
        row.put("reason", reason);
        row.put("timed", true);
        return row;
    }

    private static void setLocal(Connection c, String name, String value) throws SQLException {
        setConfig(c, name, value, true);
    }

    private static void setSession(Connection c, String name, String value) throws SQLException {
        setConfig(c, name, value, false);
    }

    private static void setConfig(Connection c, String name, String value, boolean local) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT set_config(?, ?, ?)")) {
            ps.setString(1, name);
            ps.setString(2, value);
            ps.setBoolean(3, local);
            ps.execute();
        }
    }

    /** The in-transaction toggle; returns whether the gate now reads open. */
    private static boolean override(Connection c, String gate, String value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT fn_iu_core_gate_override(?, ?)")) {
            ps.setString(1, gate);
            ps.setString(2, value);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static boolean isOpen(Connection c, String gate) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT fn_iu_core_gate_open(?)")) {
            ps.setString(1, gate);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

}
