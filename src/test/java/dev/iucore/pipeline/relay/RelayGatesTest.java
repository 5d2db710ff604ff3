package dev.iucore.pipeline.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.RelayData;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The relay's three gates, read in one statement as a batch's transaction sees them. */
class RelayGatesTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @AfterEach
    void closeEveryGate() {
        new RelayData(DB.db()).closeGates();
    }

    @Test
    void readsTheThreeGatesAsStored() throws SQLException {
        DB.db().update("UPDATE iu_core_gate SET gate_value = 'true' WHERE gate_name = 'delivery_enabled'");
        DB.db().update("UPDATE iu_core_gate SET gate_value = ' a, b ,,c' WHERE gate_name = 'delivery_live_routes'");
        try (Connection c = DB.db().runtime().getConnection()) {
            assertThat(RelayGates.read(c)).isEqualTo(new RelayGates(true, List.of("a", "b", "c"), false));
        }
    }

    @Test
    void allClosedWhenNothingIsOpen() throws SQLException {
        try (Connection c = DB.db().runtime().getConnection()) {
            assertThat(RelayGates.read(c)).isEqualTo(new RelayGates(false, List.of(), false));
        }
    }

    @Test
    void aTransactionsOwnOverrideIsSeenByThatTransactionOnly() throws SQLException {
        try (Connection c = DB.db().runtime().getConnection(); Connection other = DB.db().runtime().getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT fn_iu_core_gate_override(?, ?)")) {
                ps.setString(1, "sql_routes_enabled");
                ps.setString(2, "true");
                ps.execute();
            }
            assertThat(RelayGates.read(c).sqlRoutesEnabled()).isTrue();
            assertThat(RelayGates.read(other).sqlRoutesEnabled()).isFalse();
            c.rollback();
        }
    }

    @Test
    void aReadThatFailsIsEveryGateClosed() throws SQLException {
        DB.db().update("UPDATE iu_core_gate SET gate_value = 'true' WHERE gate_name = 'delivery_enabled'");
        try (Connection c = DB.db().runtime().getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                assertThatThrownBy(() -> s.execute("SELECT 1 / 0")).isInstanceOf(SQLException.class);
            }
            // the transaction is aborted: the read fails, and fails closed
            assertThat(RelayGates.read(c)).isEqualTo(new RelayGates(false, List.of(), false));
            c.rollback();
        }
    }
}
