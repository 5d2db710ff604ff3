package dev.iucore.pipeline.relay;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database transaction a route's steps share, put on the exchange by {@link RelayTransactionPolicy}:
 * its connection, and what is to happen once it committed (counting a batch's decisions, for example,
 * which must never count what was rolled back), or once it rolled back. A transaction a caller began itself ({@link #joining}:
 * the boundary probe, which rolls back) runs no hooks: it is the caller's to end.
 */
public final class RelayTransaction {

    /** The exchange property the policy keeps the transaction in, for the steps inside it. */
    public static final String PROPERTY = "iuTransaction";

    private static final Logger LOG = LoggerFactory.getLogger(RelayTransaction.class);

    private final Connection connection;
    private final List<Runnable> afterCommit = new ArrayList<>();
    private final List<Runnable> afterRollback = new ArrayList<>();

    RelayTransaction(Connection connection) {
        this.connection = connection;
    }

    /** A caller's own transaction the route joins: the caller commits or rolls back, and nothing runs after. */
    public static RelayTransaction joining(Connection connection) {
        return new RelayTransaction(connection);
    }

    /** The transaction the policy around this step began (or the caller's it joined). */
    public static RelayTransaction of(Exchange exchange) {
        RelayTransaction transaction = exchange.getProperty(PROPERTY, RelayTransaction.class);
        if (transaction == null) {
            throw new IllegalStateException("no transaction on this exchange: the step must run inside policy relayTransaction");
        }
        return transaction;
    }

    public Connection connection() {
        return connection;
    }

    /** Runs the hook once this transaction committed; never when it rolls back or is a caller's. */
    public void afterCommit(Runnable hook) {
        afterCommit.add(hook);
    }

    /** Runs the hook once this transaction rolled back (undoing what a step counted in memory); never when it commits. */
    public void afterRollback(Runnable hook) {
        afterRollback.add(hook);
    }

    /** Called by the policy after the commit. */
    void committed() {
        run(afterCommit);
    }

    /** Called by the policy after the rollback. */
    void rolledBack() {
        run(afterRollback);
    }

    /** A failing hook is logged; the transaction stays as it ended. */
    private static void run(List<Runnable> hooks) {
        for (Runnable hook : hooks) {
            try {
                hook.run();
            } catch (RuntimeException e) {
                LOG.warn("a step after the transaction ended failed (the transaction stays as it ended): {}", e.getMessage());
            }
        }
    }
}
