package dev.iucore.pipeline.outbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Keeps ordered routes in order across relays. While any route is {@code ordered}, dispatch batches
 * (of both lanes, of every process on the database) run one at a time: each takes a
 * transaction-scoped advisory lock before its claim and holds it to its commit or rollback. Side by
 * side, a batch holding an aggregate's later event could commit before the batch holding its earlier
 * one, and the delivery claim, finding the later event the first open one of its aggregate, would send
 * it first. One at a time, a batch claims only after the previous one ended, so it takes the earliest
 * events still pending, those of a batch that rolled back included. Without an ordered route, batches
 * run side by side.
 * <p>
 * Every batch also holds the route-order lock shared ({@code fn_iu_core_route_order_lock}, V099), which
 * a route made ordered takes exclusively before it brings its open deliveries into the per-aggregate
 * order index: the batches that may have read the route unordered end first, and those after it read
 * it ordered. The lock comes first, in a statement of its own, so the turn's statement sees the route
 * as the batch will.
 * <p>
 * The other way, an index of pending events by aggregate for the delivery claim to wait on, cost the
 * producers' inserts 10 to 17 % (pgbench, one event a transaction, 4 sessions, 2026-12-03): every
 * application would pay it, ordered routes or not.
 */
final class OrderedDispatch {

    /** The advisory lock's key ("iu-ord"); no other advisory lock of the pipeline's database uses one. */
    static final long LOCK = 0x69_75_2D_6F_72_64L;

    /** The route-order lock, then the turn's, which it waits for only while some route is ordered (the function runs at most once): one round trip. */
    static final String AWAIT_TURN = """
            SELECT fn_iu_core_route_order_lock(false);
            SELECT pg_advisory_xact_lock(?) FROM iu_outbound_route WHERE ordered LIMIT 1""";

    private OrderedDispatch() {
    }

    /** Before a batch's claim, on its transaction: returns once no route is being made ordered and, if a route is ordered, no other batch is dispatching. */
    static void awaitTurn(Connection batch) throws SQLException {
        try (PreparedStatement ps = batch.prepareStatement(AWAIT_TURN)) {
            ps.setLong(1, LOCK);
            ps.execute();
        }
    }
}
