package dev.iucore.pipeline.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.iucore.pipeline.testing.DatabaseExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The outbox's insert trigger on the real database (V093): a transaction that inserted events
 * notifies {@code iu_core_outbox} once, at its commit, unless another transaction is notifying at
 * that moment (the try lock a committing notifier holds); a rolled-back one never does.
 */
class OutboxNotifyTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    /** The trigger's advisory key (V093): held, it stands for another transaction's commit in flight. */
    static final long NOTIFYING = 4242010002L;
    private static final String INSERT = """
            INSERT INTO event_outbox (event_type, aggregate_type, aggregate_id, payload)
            SELECT 'test.notify', 'test', 'n-' || i, '{}'::jsonb FROM generate_series(1, ?) AS i""";

    private Connection listener;

    @BeforeEach
    void listen() throws SQLException {
        DB.db().update("DELETE FROM event_outbox");
        listener = DB.db().owner().getConnection();
        try (Statement s = listener.createStatement()) {
            s.execute("LISTEN iu_core_outbox");
        }
    }

    @AfterEach
    void unlisten() throws SQLException {
        listener.close();
    }

    @Test
    void aCommittedTransactionNotifiesOnceHoweverManyRowsAndStatements() throws Exception {
        try (Connection producer = producer()) {
            insert(producer, 500);
            insert(producer, 1);
            assertThat(notifications()).as("nothing before the commit").isZero();
            producer.commit();
        }
        assertThat(notifications()).isEqualTo(1);
        assertThat(DB.db().count("event_outbox")).isEqualTo(501);
    }

    @Test
    void aRolledBackTransactionNeverNotifies() throws Exception {
        try (Connection producer = producer()) {
            insert(producer, 3);
            producer.rollback();
        }
        assertThat(notifications()).isZero();
    }

    @Test
    void aSavepointRolledBackTakesItsQueuedNotificationWithItAndTheNextInsertQueuesAgain() throws Exception {
        try (Connection producer = producer()) {
            var savepoint = producer.setSavepoint();
            insert(producer, 1);
            producer.rollback(savepoint);
            insert(producer, 1);
            producer.commit();
        }
        assertThat(notifications()).isEqualTo(1);
    }

    @Test
    void aCommitWhileAnotherIsNotifyingSkipsItsOwnAndNeverWaits() throws Exception {
        try (Connection other = producer(); Connection producer = producer()) {
            try (PreparedStatement lock = other.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                lock.setLong(1, NOTIFYING);
                lock.execute();
            }
            insert(producer, 1);
            producer.commit();
            assertThat(notifications()).as("skipped: the other commit's notification wakes the relay").isZero();
            other.rollback();
            insert(producer, 1);
            producer.commit();
        }
        assertThat(notifications()).as("nobody else notifying: its own").isEqualTo(1);
    }

    private static Connection producer() throws SQLException {
        Connection c = DB.db().runtime().getConnection();
        c.setAutoCommit(false);
        return c;
    }

    private static void insert(Connection producer, int rows) throws SQLException {
        try (PreparedStatement ps = producer.prepareStatement(INSERT)) {
            ps.setInt(1, rows);
            ps.executeUpdate();
        }
    }

    /** The notifications that arrived within half a second (a committed one arrives in milliseconds). */
    private int notifications() throws SQLException {
        PGNotification[] received = listener.unwrap(PGConnection.class).getNotifications(500);
        return received == null ? 0 : received.length;
    }
}
