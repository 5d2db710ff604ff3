package dev.iucore.pipeline.outbox;

import dev.iucore.pipeline.relay.RelayGates;
import dev.iucore.pipeline.relay.RelayTransaction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import org.apache.camel.Body;
import org.apache.camel.CamelContext;
import org.apache.camel.ExchangeProperty;

/**
 * Claims a batch of pending, available outbox events in one statement: the inner SELECT locks with
 * SKIP LOCKED so concurrent dispatchers take disjoint batches, the UPDATE sets the lease, and an
 * expired lease is simply claimable again. While {@code delivery_enabled} is closed it claims only
 * what it can settle without delivering (unregistered, disabled and delayed types); every live
 * event stays exactly as it was, not even rewritten.
 */
public final class OutboxClaimer {

    static final String CLAIM = """
            WITH claimed AS (
                -- an id array, not IN (subquery): the generic plan of the prepared statement cannot see
                -- the LIMIT and would hash-join a sequential scan of the whole outbox to it
                UPDATE event_outbox o
                   SET locked_by = ?, locked_until = now() + ? * interval '1 millisecond'
                 WHERE o.id = ANY (ARRAY(
                       SELECT e.id
                         FROM event_outbox e
                        WHERE e.status = 'pending'
                          AND e.available_at <= now()
                          AND (e.locked_until IS NULL OR e.locked_until < now())
                          -- a per-row test, not a join: a join with the registry was planned as a hash join
                          -- of every pending event, sorted, whenever the plan could not see the LIMIT
                          AND (? OR NOT EXISTS (SELECT 1 FROM event_type_registry r
                                                 WHERE r.event_type = e.event_type AND r.enabled
                                                   AND r.delivery_lane = 'live'))
                        ORDER BY e.available_at, e.id
                        LIMIT ?
                          FOR UPDATE OF e SKIP LOCKED))
                RETURNING o.id, o.event_id, o.event_type, o.aggregate_type, o.aggregate_id, o.payload, o.created_at, o.status)
            SELECT c.id, c.event_id, c.event_type, c.aggregate_type, c.aggregate_id, c.payload::text, c.created_at, c.status,
                   r.delivery_lane, r.enabled
              FROM claimed c
              LEFT JOIN event_type_registry r ON r.event_type = c.event_type
             ORDER BY c.id""";

    private final String node;
    private final int batchSize;
    private final long leaseMs;

    public OutboxClaimer(String node, int batchSize, long leaseMs) {
        this.node = node;
        this.batchSize = batchSize;
        this.leaseMs = leaseMs;
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
        try (PreparedStatement ps = connection.prepareStatement(CLAIM)) {
            ps.setString(1, node);
            ps.setLong(2, leaseMs);
            ps.setBoolean(3, deliveryEnabled);
            ps.setInt(4, batchSize);
            try (ResultSet rs = ps.executeQuery()) {
                return OutboxEvent.readAll(rs);
            }
        }
    }
}
