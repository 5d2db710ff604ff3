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
 * The delayed lane's claim: a batch of {@code held} events, oldest first, in one statement with
 * SKIP LOCKED, so several nodes (or a run that overlaps the next) take disjoint batches. The rows
 * stay locked until the batch's transaction ends, and that transaction also releases them
 * (deliveries created, events dispatched), so no lease is needed: a batch that fails leaves its
 * events held, exactly as they were. While {@code delivery_enabled} is closed it claims nothing.
 * While a route is ordered, its batches and the dispatcher's take turns ({@link OrderedDispatch}).
 */
public final class HeldEventClaimer {

    static final String CLAIM = """
            SELECT e.id, e.event_id, e.event_type, e.aggregate_id, e.status, r.delivery_lane, r.enabled,
                   e.headers ->> 'traceparent' AS traceparent
              FROM event_outbox e
              LEFT JOIN event_type_registry r ON r.event_type = e.event_type
             WHERE e.status = 'held'
             ORDER BY e.id
             LIMIT ?
               FOR UPDATE OF e SKIP LOCKED""";

    private final int batchSize;

    public HeldEventClaimer(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("iu.delayed-lane.batch-size must be at least 1, not " + batchSize);
        }
        this.batchSize = batchSize;
    }

    /** The route's step while {@code delivery_enabled} is open; a stopping service claims nothing more. */
    public DispatchBatch claim(@Body RelayGates gates, @ExchangeProperty(RelayTransaction.PROPERTY) RelayTransaction transaction,
                               CamelContext context) throws SQLException {
        List<OutboxEvent> events = context.isStopping() ? List.of() : claim(transaction.connection());
        return DispatchBatch.claimed(transaction, gates, events, batchSize);
    }

    /** The route's step while {@code delivery_enabled} is closed: nothing is released, an empty batch. */
    public DispatchBatch nothing(@Body RelayGates gates,
                                 @ExchangeProperty(RelayTransaction.PROPERTY) RelayTransaction transaction) {
        return DispatchBatch.claimed(transaction, gates, List.of(), batchSize);
    }

    List<OutboxEvent> claim(Connection connection) throws SQLException {
        OrderedDispatch.awaitTurn(connection);
        try (PreparedStatement ps = connection.prepareStatement(CLAIM)) {
            ps.setInt(1, batchSize);
            try (ResultSet rs = ps.executeQuery()) {
                return OutboxEvent.readAll(rs);
            }
        }
    }
}
