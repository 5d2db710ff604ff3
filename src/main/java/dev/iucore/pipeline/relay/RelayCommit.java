package dev.iucore.pipeline.relay;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The relay's own bookkeeping (claims, dispatch batches, attempt records) commits without waiting
 * for the WAL flush. That is safe for an at-least-once relay: a crash can only lose the last
 * moments of bookkeeping, atomically per transaction, which puts an event or a delivery back to a
 * state where it is delivered again; it never loses an event. The producers' own transactions,
 * which put the events into the outbox, stay fully durable (synchronous_commit on).
 */
public final class RelayCommit {

    private RelayCommit() {
    }

    /** Opens a transaction on the connection whose commit does not wait for the disk. */
    public static void begin(Connection connection) throws SQLException {
        connection.setAutoCommit(false);
        try (Statement s = connection.createStatement()) {
            s.execute("SET LOCAL synchronous_commit TO OFF");
        }
    }
}
