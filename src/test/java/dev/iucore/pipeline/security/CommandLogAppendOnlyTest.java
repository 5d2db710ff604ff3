package dev.iucore.pipeline.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.testing.Cli;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.TestDb;
import dev.iucore.pipeline.testing.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The runtime role adds to the command log and finishes its own running rows once; nothing else. */
class CommandLogAppendOnlyTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final String INSUFFICIENT_PRIVILEGE = "42501";

    private static TestDb db() {
        return DB.db();
    }

    @Test
    void theRuntimeRoleCannotDeleteOrRewriteLoggedCommands() {
        assertThat(Cli.run(db().settings(), "gates", "list").exitCode()).isZero();
        long logged = db().count("iu_command_log");
        for (String statement : new String[] {
                "DELETE FROM iu_command_log",
                "UPDATE iu_command_log SET actor = 'someone-else'",
                "TRUNCATE iu_command_log"}) {
            assertThatThrownBy(() -> runtime(statement)).as(statement)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo(INSUFFICIENT_PRIVILEGE));
        }
        assertThat(db().count("iu_command_log")).isEqualTo(logged);
        assertThat(db().queryLong("SELECT count(*) FROM iu_command_log WHERE actor = 'someone-else'")).isZero();
    }

    @Test
    void aCommandsRowIsFinishedThroughTheFunctionAndNamesTheDatabaseUserBesideTheActor() {
        assertThat(Cli.run(db().settings().with(Map.of(Setting.ACTOR, "claims-to-be-root")), "gates", "list").exitCode())
                .isZero();
        Map<String, Object> row = db().query("""
                SELECT actor, db_user, outcome, finished_at IS NOT NULL AS finished
                  FROM iu_command_log WHERE command_name = 'gates list' ORDER BY id DESC LIMIT 1""").get(0);
        assertThat(row).containsEntry("actor", "claims-to-be-root").containsEntry("db_user", TestPostgres.RUNTIME)
                .containsEntry("outcome", "ok").containsEntry("finished", true);
    }

    @Test
    void aForgedDatabaseUserIsReplacedByTheConnectedOne() throws SQLException {
        long id = begin(db().runtime(), "gates list", "postgres");
        assertThat(db().queryValue("SELECT db_user FROM iu_command_log WHERE id = ?", id)).isEqualTo(TestPostgres.RUNTIME);
    }

    @Test
    void aRunningRowIsFinishedOnceAndOnlyByTheDatabaseUserThatBeganIt() throws SQLException {
        long mine = begin(db().runtime(), "gates list", null);
        finish(mine, "ok");
        assertThatThrownBy(() -> finish(mine, "failed")).as("a second finish")
                .hasMessageContaining("is not running, or was not started by database user " + TestPostgres.RUNTIME);
        assertThat(db().queryValue("SELECT outcome FROM iu_command_log WHERE id = ?", mine)).isEqualTo("ok");

        long owners = begin(db().owner(), "gates list", null);
        assertThatThrownBy(() -> finish(owners, "failed")).as("another user's row")
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo(INSUFFICIENT_PRIVILEGE));
        long running = begin(db().runtime(), "gates list", null);
        assertThatThrownBy(() -> finish(running, "running")).hasMessageContaining("an outcome other than running");
        assertThat(db().queryLong("SELECT count(*) FROM iu_command_log WHERE id IN (?, ?) AND outcome = 'running'",
                owners, running)).isEqualTo(2);
    }

    private static long begin(DataSource dataSource, String command, String dbUser) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                INSERT INTO iu_command_log (command_name, actor, outcome, node, started_at, db_user)
                VALUES (?, 'test', 'running', 'test-node', now(), ?) RETURNING id""")) {
            ps.setString(1, command);
            ps.setString(2, dbUser);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static void finish(long id, String outcome) throws SQLException {
        try (Connection c = db().runtime().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT fn_iu_command_log_finish(?, ?, 0, NULL, NULL, now(), 1)")) {
            ps.setLong(1, id);
            ps.setString(2, outcome);
            ps.execute();
        }
    }

    private static void runtime(String statement) throws SQLException {
        try (Connection c = db().runtime().getConnection(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }
}
