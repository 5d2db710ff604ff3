package dev.iucore.pipeline.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.iucore.pipeline.testing.Cli;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.TestDb;
import dev.iucore.pipeline.testing.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Retention runs, batch runs, matrix snapshots and dead-letter replays record the database user
 * beside the actor the caller claims (V046), and show it: claiming the owner's name as the actor,
 * or writing db_user by hand as the runtime role, never hides who really wrote the record.
 */
class DatabaseUserBesideActorTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    /** The actor an intruder with the runtime role's password would claim. */
    private static final String CLAIMED = TestPostgres.OWNER;
    private static final String REAL = TestPostgres.RUNTIME;

    private static TestDb db() {
        return DB.db();
    }

    private static Cli.Result iuCore(String... args) {
        return Cli.run(db().settings(), args);
    }

    @Test
    void aRetentionRunWithEvidenceRecordsAndShowsTheDatabaseUserOfRunRowsBatchRunAndSnapshots() {
        Cli.Result retention = iuCore("retention", "--dry-run", "--actor", CLAIMED, "--evidence");
        assertThat(retention.exitCode()).as(retention.err()).isZero();
        assertThat(retention.out()).contains(" by " + CLAIMED + " (database user " + REAL + "): 0 rows deleted");
        Matcher id = Pattern.compile("iu-core evidence ([0-9a-f-]{36})").matcher(retention.out());
        assertThat(id.find()).as(retention.out()).isTrue();
        UUID runId = UUID.fromString(id.group(1));

        assertThat(db().query("SELECT DISTINCT actor, db_user FROM iu_core_retention_run WHERE actor = ?", CLAIMED))
                .singleElement().satisfies(row -> assertThat(row).containsEntry("db_user", REAL));
        assertThat(db().queryValue("SELECT db_user FROM iu_core_batch_run WHERE run_id = ? AND actor = ?", runId, CLAIMED))
                .isEqualTo(REAL);
        assertThat(db().query("SELECT db_user FROM iu_core_matrix_snapshot WHERE label IN (?, ?) AND actor = ?",
                "retention-" + runId + "-before", "retention-" + runId + "-after", CLAIMED))
                .hasSize(2).allSatisfy(row -> assertThat(row).containsEntry("db_user", REAL));

        Cli.Result evidence = iuCore("evidence", runId.toString());
        assertThat(evidence.out()).contains("| actor | " + CLAIMED + " |").contains("| database user | " + REAL + " |");
    }

    @Test
    void aMatrixSnapshotShowsTheDatabaseUserBesideItsActor() {
        Cli.Result snapshot = iuCore("matrix", "snapshot", "--label", "claimed-owner", "--actor", CLAIMED);
        assertThat(snapshot.exitCode()).as(snapshot.err()).isZero();
        assertThat(snapshot.out()).containsPattern("taken \\S+ by " + CLAIMED + " \\(database user " + REAL + "\\)");
        Cli.Result again = iuCore("matrix", "snapshot", "--label", "claimed-owner", "--actor", "someone");
        assertThat(again.err()).contains("by " + CLAIMED + ", database user " + REAL + ")");
    }

    @Test
    void aDeadLetterReplayShowsTheDatabaseUserBesideTheActorItClaims() {
        new RelayData(db()).registerType("test.dbuser.late", "live");
        UUID event = new RelayData(db()).event("test.dbuser.late", "a-1", "{}");
        long letter = (Long) db().queryValue("""
                INSERT INTO iu_route_dead_letter (event_id, event_type, reason, event_snapshot)
                VALUES (?, 'test.dbuser.late', 'unregistered_type', '{}') RETURNING id""", event);
        db().update("UPDATE iu_core_gate SET gate_value = 'true' WHERE gate_name = 'dead_letter_replay_enabled'");
        try {
            Cli.Result replay = iuCore("dead-letters", "replay", Long.toString(letter), "--actor", CLAIMED);
            assertThat(replay.exitCode()).as(replay.err() + replay.out()).isZero();
        } finally {
            db().update("UPDATE iu_core_gate SET gate_value = 'false' WHERE gate_name = 'dead_letter_replay_enabled'");
        }

        assertThat(db().queryValue("SELECT replayed_db_user FROM iu_route_dead_letter WHERE id = ? AND replayed_by = ?",
                letter, CLAIMED)).isEqualTo(REAL);
        String shown = "by " + CLAIMED + " (database user " + REAL + ")";
        assertThat(iuCore("dead-letters", "show", Long.toString(letter)).out()).contains(shown);
        assertThat(iuCore("dead-letters", "list", "--event-type", "test.dbuser.late").out()).contains(shown);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "INSERT INTO iu_core_retention_run (run_id, target, actor, dry_run, db_user) VALUES (gen_random_uuid(), 'iu_route_attempt', 'iu_core_owner', true, 'iu_core_owner') RETURNING id, db_user",
        "INSERT INTO iu_core_batch_run (run_id, kind, actor, dry_run, node, db_user) VALUES (gen_random_uuid(), 'retention', 'iu_core_owner', true, 'forger', 'iu_core_owner') RETURNING run_id, db_user",
        "INSERT INTO iu_core_matrix_snapshot (label, actor, node, db_user) VALUES ('forged-' || gen_random_uuid(), 'iu_core_owner', 'forger', 'iu_core_owner') RETURNING id, db_user",
        "INSERT INTO iu_route_dead_letter (event_id, event_type, reason, event_snapshot, replayed_at, replayed_by, replayed_db_user) VALUES (gen_random_uuid(), 'x', 'unregistered_type', '{}', now(), 'iu_core_owner', 'iu_core_owner') RETURNING id, replayed_db_user"
    })
    void theRuntimeRoleCannotWriteAnotherDatabaseUserIntoARecord(String insert) throws SQLException {
        try (Connection c = db().runtime().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(insert)) {
            rs.next();
            assertThat(rs.getString(2)).isEqualTo(REAL);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "INSERT INTO iu_core_retention_run (run_id, target, actor, dry_run) VALUES (gen_random_uuid(), 'iu_route_attempt', 'x', true) RETURNING id",
        "INSERT INTO iu_core_batch_run (run_id, kind, actor, dry_run, node) VALUES (gen_random_uuid(), 'retention', 'x', true, 'n') RETURNING run_id",
        "INSERT INTO iu_route_dead_letter (event_id, event_type, reason, event_snapshot, replayed_at, replayed_by) VALUES (gen_random_uuid(), 'x', 'unregistered_type', '{}', now(), 'x') RETURNING id"
    })
    void theRuntimeRoleCannotRewriteTheDatabaseUserOfItsRecord(String insert) throws SQLException {
        String table = insert.split(" ")[2];
        String update = switch (table) {
            case "iu_core_retention_run" -> "UPDATE iu_core_retention_run SET db_user = ?, status = 'completed' WHERE id = ? RETURNING db_user";
            case "iu_core_batch_run" -> "UPDATE iu_core_batch_run SET db_user = ?, outcome = 'ok', finished_at = now() WHERE run_id = ? RETURNING db_user";
            default -> "UPDATE iu_route_dead_letter SET replayed_db_user = ? WHERE id = ? RETURNING replayed_db_user";
        };
        try (Connection c = db().runtime().getConnection(); Statement s = c.createStatement()) {
            Object key;
            try (ResultSet rs = s.executeQuery(insert)) {
                rs.next();
                key = rs.getObject(1);
            }
            try (PreparedStatement ps = c.prepareStatement(update)) {
                ps.setString(1, CLAIMED);
                ps.setObject(2, key);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).as("the row was updated").isTrue();
                    assertThat(rs.getString(1)).isEqualTo(REAL);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"SET SESSION AUTHORIZATION iu_core_owner", "SET ROLE iu_core_owner",
        "UPDATE iu_core_matrix_snapshot SET db_user = 'iu_core_owner'"})
    void theRuntimeRoleCannotPassForAnotherDatabaseUser(String statement) throws SQLException {
        try (Connection c = db().runtime().getConnection(); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.execute(statement))
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42501"));
        }
    }
}
