package dev.iucore.pipeline.outbox;

import dev.iucore.pipeline.db.NamedSql;
import dev.iucore.pipeline.relay.RelayGates;
import dev.iucore.pipeline.relay.RelayTransaction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.apache.camel.Body;
import org.apache.camel.CamelContext;
import org.apache.camel.ExchangeProperty;

/**
 * Claims a batch of pending, available outbox events in one statement, locked with SKIP LOCKED so
 * concurrent dispatchers take disjoint batches. The row locks last until the batch's transaction
 * ends, and that transaction also settles every event it claimed, so no lease is written: a lease
 * nobody else could see before the commit would only double the writes. No payload is read either:
 * dispatch never needs it, so a batch holds a few hundred short rows whatever the events weigh. While {@code delivery_enabled} is closed it claims only
 * what it can settle without delivering (unregistered, disabled and delayed types); every live
 * event stays exactly as it was, not even rewritten. While a route is ordered, batches take turns
 * ({@link OrderedDispatch}).
 */
public final class OutboxClaimer {

    private static final NamedSql CLAIM = NamedSql.load(OutboxClaimer.class, "claim-events.sql");

    private final int batchSize;

    public OutboxClaimer(int batchSize) {
        this.batchSize = batchSize;
    }

    /** The route's step while {@code delivery_enabled} is open: every pending, available event. */
    public DispatchBatch claim(@Body RelayGates gates, @ExchangeProperty(RelayTransaction.PROPERTY) RelayTransaction transaction,
                               CamelContext context) throws SQLException {
        return claim(gates, transaction, context, true);
    }

    /** The route's step while {@code delivery_enabled} is closed: only what is settled without delivering. */
    public DispatchBatch claimUndeliverable(@Body RelayGates gates,
                                            @ExchangeProperty(RelayTransaction.PROPERTY) RelayTransaction transaction,
                                            CamelContext context) throws SQLException {
        return claim(gates, transaction, context, false);
    }

    private DispatchBatch claim(RelayGates gates, RelayTransaction transaction, CamelContext context,
                                boolean deliveryEnabled) throws SQLException {
        // a stopping service claims nothing more: the batch comes back empty and the draining ends
        List<OutboxEvent> events = context.isStopping() ? List.of() : claim(transaction.connection(), deliveryEnabled);
        return DispatchBatch.claimed(transaction, gates, events, batchSize);
    }

    public List<OutboxEvent> claim(Connection connection, boolean deliveryEnabled) throws SQLException {
        OrderedDispatch.awaitTurn(connection);
        try (PreparedStatement ps = CLAIM.prepare(connection, Map.of("delivery_enabled", deliveryEnabled,
                "batch_size", batchSize)); ResultSet rs = ps.executeQuery()) {
            return OutboxEvent.readAll(rs);
        }
    }
}
