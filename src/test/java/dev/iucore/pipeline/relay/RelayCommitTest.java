package dev.iucore.pipeline.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.iucore.pipeline.testing.DatabaseExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The relay's transactions, from the runtime pool and from a plain data source: their idle limit and generic plans, and only theirs. */
class RelayCommitTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @ParameterizedTest(name = "pooled: {0}")
    @ValueSource(booleans = {true, false})
    void aRelayTransactionCarriesTheServersIdleLimitOfOneMinuteAndGenericPlans(boolean pooled) throws SQLException {
        DataSource dataSource = pooled ? DB.db().runtime() : DB.db().owner();
        try (Connection relay = RelayCommit.open(dataSource)) {
            assertThat(setting(relay, "idle_in_transaction_session_timeout")).isEqualTo("1min");
            assertThat(setting(relay, "plan_cache_mode")).isEqualTo("force_generic_plan");
            relay.rollback();
        }
    }

    @Test
    void theNextCheckoutOfThePoolHasNoIdleLimitAndPlansAsItLikes() throws SQLException {
        DataSource pool = DB.db().runtime();
        try (Connection relay = RelayCommit.open(pool)) {
            relay.commit();
        }
        try (Connection next = pool.getConnection()) {
            assertThat(setting(next, "idle_in_transaction_session_timeout")).isEqualTo("0");
            assertThat(setting(next, "plan_cache_mode")).isEqualTo("auto");
        }
    }

    private static String setting(Connection c, String name) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW " + name)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
