package dev.iucore.pipeline.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import dev.iucore.pipeline.db.Database;
import dev.iucore.pipeline.db.EmbeddedPostgresServer;
import dev.iucore.pipeline.db.RuntimePool;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What one borrower of the runtime pool leaves in its session never reaches the next one. */
class PooledSessionResetTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @Test
    void aConnectionPoisonedWithSessionLevelSettingsIsCleanOnItsNextCheckout() throws SQLException {
        try (RuntimePool pool = oneConnectionPool(TestPostgres.RUNTIME)) {
            String poisoned;
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                poisoned = value(s, "SELECT pg_backend_pid()::text");
                // what an ops sql: route did: gates, the audit's actor and a timeout, for the whole session
                s.execute("SELECT set_config('iu_core.delivery_enabled', 'true', false), "
                        + "set_config('iu_core_audit.actor', 'forged', false)");
                s.execute("SET statement_timeout = '42s'");
                s.execute("LISTEN iu_core_outbox");
                assertThat(value(s, "SELECT current_setting('iu_core.delivery_enabled')")).isEqualTo("true");
            }
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                assertThat(value(s, "SELECT pg_backend_pid()::text")).as("the same session").isEqualTo(poisoned);
                assertThat(value(s, "SELECT current_setting('iu_core.delivery_enabled', true)")).isEmpty();
                assertThat(value(s, "SELECT current_setting('iu_core_audit.actor', true)")).isEmpty();
                assertThat(value(s, "SHOW statement_timeout")).isEqualTo("0");
                assertThat(value(s, "SELECT count(*)::text FROM pg_listening_channels()")).isEqualTo("0");
                assertThat(value(s, "SELECT fn_iu_core_gate_open('delivery_enabled')::text")).isEqualTo("false");
            }
        }
    }

    @Test
    void aTemporaryTableABorrowerLeftIsGoneOnTheNextCheckout() throws SQLException {
        // the runtime role may create none (V024); a role that still may, as on a restored database
        // before its REVOKE, must not hand one to the next borrower either
        try (RuntimePool pool = oneConnectionPool(TestPostgres.OWNER)) {
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE TEMP TABLE iu_core_gate AS SELECT gate_name, kind, 'true'::text AS gate_value FROM public.iu_core_gate");
                assertThat(value(s, "SELECT fn_iu_core_gate_open('delivery_enabled')::text")).as("shadowed").isEqualTo("true");
            }
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                assertThat(value(s, "SELECT count(*)::text FROM pg_class WHERE relpersistence = 't'")).isEqualTo("0");
                assertThat(value(s, "SELECT fn_iu_core_gate_open('delivery_enabled')::text")).isEqualTo("false");
            }
        }
    }

    @Test
    void theServicesSessionsKeepTheirApplicationNameThroughTheReset() throws Exception {
        try (Database database = Database.open(DB.db().settings(), EmbeddedPostgresServer.Mode.SERVICE, "test", false)) {
            for (int checkout = 1; checkout <= 2; checkout++) {
                try (Connection c = database.runtime().getConnection(); Statement s = c.createStatement()) {
                    // what an operator reads to tell the relay's sessions from the application's
                    assertThat(value(s, "SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()"))
                            .as("checkout %d", checkout).isEqualTo("iu-core test");
                }
            }
        }
    }

    @Test
    void theRelaysResetIsPreparedOnceASessionAndStillCleansWhatABorrowerLeft() throws SQLException {
        List<String> relaySettings = List.of("synchronous_commit TO off", "enable_seqscan TO off");
        try (RuntimePool pool = oneConnectionPool(TestPostgres.RUNTIME)) {
            for (int checkout = 1; checkout <= 6; checkout++) {
                try (Connection c = pool.getConnection(relaySettings); Statement s = c.createStatement()) {
                    assertThat(value(s, "SHOW synchronous_commit")).as("checkout %d", checkout).isEqualTo("off");
                    assertThat(value(s, "SHOW statement_timeout")).as("checkout %d", checkout).isEqualTo("0");
                    s.execute("SET statement_timeout = '42s'");
                    s.execute("LISTEN iu_core_outbox");
                }
            }
            try (Connection c = pool.getConnection(relaySettings); Statement s = c.createStatement()) {
                assertThat(value(s, "SHOW statement_timeout")).isEqualTo("0");
                assertThat(value(s, "SELECT count(*)::text FROM pg_listening_channels()")).isEqualTo("0");
                // parsed and planned once for the session, not for every checkout
                assertThat(value(s, "SELECT string_agg(statement, ' | ' ORDER BY statement) FROM pg_prepared_statements"))
                        .contains("RESET ALL", "UNLISTEN *", "DISCARD TEMP", "SET synchronous_commit TO off");
            }
        }
    }

    /** One connection, so the second checkout is the same session. */
    private static RuntimePool oneConnectionPool(String user) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(DB.db().url());
        config.setUsername(user);
        config.setPassword(TestPostgres.password(user));
        config.setMaximumPoolSize(1);
        return new RuntimePool(config);
    }

    private static String value(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
