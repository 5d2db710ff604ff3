package dev.iucore.pipeline.relay;

import dev.iucore.pipeline.db.RuntimePool;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;

/**
 * The relay's own bookkeeping (claims, dispatch batches, attempt records) commits without waiting
 * for the WAL flush. That is safe for an at-least-once relay: a crash can only lose the last
 * moments of bookkeeping, atomically per transaction, which puts an event or a delivery back to a
 * state where it is delivered again; it never loses an event. The producers' own transactions,
 * which put the events into the outbox, stay fully durable (synchronous_commit on).
 *
 * <p>And its statements are planned for the index paths they are written for: each reads a handful of
 * rows at the head of an index, so a sequential scan of a relay table is never their plan, only the
 * planner misled by statistics. Statistics of an empty table (a new install, a purge, the
 * benchmark's emptied tables) stay until autovacuum's next analyze, a minute or more; meanwhile the
 * claim's cached generic plan scanned every delivery and every outbox row, 200 ms a claim with
 * 4,000 pending, and the relay fell behind a steady 1,000 events/s (2026-12-01, BENCHMARKS.md).
 * This setting does not stop a planner so misled from walking a whole index instead; the statements
 * themselves find their rows by key for that ({@code claim.sql}, {@code record.sql}).
 */
public final class RelayCommit {

    private static final String NO_FLUSH_WAIT = "synchronous_commit TO off";
    /**
     * Between its statements a relay transaction waits on nothing but its own process. One left idle
     * this long belongs to a process that was stopped or lost the network, and the server ends it:
     * its row locks and the dispatch turn of ordered routes ({@code OrderedDispatch}) would otherwise
     * hold every other relay's dispatch until TCP keepalive noticed, hours later by default.
     */
    private static final String IDLE_LIMIT = "idle_in_transaction_session_timeout TO '60s'";
    /**
     * Each relay statement runs on the generic plan its server-side prepared statement makes once per
     * connection: the statements are written for plans that cannot see their values. Left to choose,
     * PostgreSQL planned the dispatcher's claim afresh for every batch (0.25 ms at 1,000 events/s, more
     * than running it: its generic estimate for {@code :delivery_enabled OR NOT EXISTS ...} is above the
     * custom plans'), and the delivery claim before it (2026-12-01, 2026-12-04, BENCHMARKS.md). Only in
     * the relay's own transactions: an SQL action's function on a pooled connection plans as it likes.
     */
    private static final String GENERIC_PLANS = "plan_cache_mode TO force_generic_plan";
    /** The relay's session settings, for one transaction or one checkout of the runtime pool. */
    static final List<String> SETTINGS = List.of(NO_FLUSH_WAIT, "enable_seqscan TO off", IDLE_LIMIT, GENERIC_PLANS);

    private RelayCommit() {
    }

    /**
     * A connection of the data source in such a transaction. From the runtime pool, the session
     * settings ride on the checkout's reset, one round trip for all (the next checkout's reset
     * undoes them); the relay opens thousands of these a second.
     */
    public static Connection open(DataSource dataSource) throws SQLException {
        if (dataSource.isWrapperFor(RuntimePool.class)) {
            Connection connection = dataSource.unwrap(RuntimePool.class).getConnection(SETTINGS);
            connection.setAutoCommit(false);
            return connection;
        }
        Connection connection = dataSource.getConnection();
        try {
            connection.setAutoCommit(false);
            try (Statement s = connection.createStatement()) {
                s.execute("SET LOCAL " + String.join("; SET LOCAL ", SETTINGS));
            }
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
            s.execute("SET LOCAL " + NO_FLUSH_WAIT);
        }
    }
}
