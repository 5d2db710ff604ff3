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
 * The other way, an index of pending events by aggregate for the delivery claim to wait on, cost the
 * producers' inserts 10 to 17 % (pgbench, one event a transaction, 4 sessions, 2026-12-03): every
 * application would pay it, ordered routes or not.
 */
final class OrderedDispatch {

    /** The advisory lock's key ("iu-ord"); no other advisory lock of the pipeline's database uses one. */
    static final long LOCK = 0x69_75_2D_6F_72_64L;

    /** Waits for the lock only while some route is ordered; the function runs at most once. */
    static final String AWAIT_TURN = "SELECT pg_advisory_xact_lock(?) FROM iu_outbound_route WHERE ordered LIMIT 1";

    private OrderedDispatch() {
    }

    /** Before a batch's claim, on its transaction: returns once no other batch is dispatching, if a route is ordered. */
    static void awaitTurn(Connection batch) throws SQLException {
        try (PreparedStatement ps = batch.prepareStatement(AWAIT_TURN)) {
            ps.setLong(1, LOCK);
            ps.execute();
        }
    }
}
