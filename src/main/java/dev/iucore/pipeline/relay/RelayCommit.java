package dev.iucore.pipeline.relay;

import dev.iucore.pipeline.db.RuntimePool;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

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

    /**
     * A connection of the data source in such a transaction. From the runtime pool, the session
     * setting rides on the checkout's reset, one round trip for both (the next checkout's reset
     * undoes it); the relay opens thousands of these a second.
     */
    public static Connection open(DataSource dataSource) throws SQLException {
        if (dataSource.isWrapperFor(RuntimePool.class)) {
            Connection connection = dataSource.unwrap(RuntimePool.class).getRelayConnection();
            connection.setAutoCommit(false);
            return connection;
        }
        Connection connection = dataSource.getConnection();
        try {
            begin(connection);
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
        return connection;
    }

    /** Opens a transaction on the connection whose commit does not wait for the disk. */
    public static void begin(Connection connection) throws SQLException {
        connection.setAutoCommit(false);
        try (Statement s = connection.createStatement()) {
            s.execute("SET LOCAL synchronous_commit TO OFF");
        }
    }
}
