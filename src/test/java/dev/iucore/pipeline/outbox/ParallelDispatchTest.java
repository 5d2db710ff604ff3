package dev.iucore.pipeline.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.RelayExtension;
import dev.iucore.pipeline.testing.TestDb;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A backlog drains {@code iu.relay.dispatchers} batches side by side: a full batch wakes a second
 * dispatcher, each claims its own events, and together they settle every event once; a trickle is
 * dispatched one batch at a time. The proof of how many run at once: with the skip counter's row
 * locked here, every batch that reached the route table waits for it.
 */
class ParallelDispatchTest {

    private static final int BATCH = 50;
    private static final String TYPE = "test.parallel";
    private static final String LIVE = "parallel-log";
    private static final String UNLISTED = "parallel-unlisted";
    /** A row lock's waits: the first waiter on the holder's transaction, those after it on the tuple. */
    private static final String[] ROW_LOCK = {"transactionid", "tuple"};
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @RegisterExtension
    static final RelayExtension RELAY = new RelayExtension(DB, "parallel-test", () -> Map.of(
            Setting.RELAY_DISPATCHERS, "2", Setting.RELAY_BATCH_SIZE, Integer.toString(BATCH)));

    private final RelayData data = RELAY.data();

    @BeforeAll
    static void routeTable() {
        RELAY.data().registerType(TYPE, "live").route(LIVE, TYPE, "log:parallel-test").route(UNLISTED, TYPE, "log:parallel-unlisted")
                .openGates(false, LIVE);
        // the counter of the route the gates skip, so a test can hold its row
        db().update("INSERT INTO iu_route_skip (route_key, reason, events_skipped, last_event_id) VALUES (?, 'not_live', 1, ?)",
                UNLISTED, UUID.randomUUID());
    }

    @AfterEach
    void unordered() {
        db().update("UPDATE iu_outbound_route SET ordered = false");
    }

    private static TestDb db() {
        return DB.db();
    }

    @Test
    void aBacklogIsDispatchedTwoBatchesAtOnceEachEventOnce() throws Exception {
        long skippedBefore = skipped();
        long after = lastEvent();
        try (Connection holder = db().owner().getConnection()) {
            holdSkipCounter(holder);
            data.events(TYPE, 8 * BATCH, 16);
            // two batches reached the route table with their claims and wait for the counter together
            await().atMost(WAIT).until(() -> waitingFor(ROW_LOCK) == 2);
            assertThat(waitingFor(ROW_LOCK)).as("at most iu.relay.dispatchers batches at once").isEqualTo(2);
            holder.rollback();
        }

        assertEachDispatchedOnce(after, 8 * BATCH);
        assertThat(db().queryLong("SELECT count(*) FROM iu_route_delivery WHERE route_key = ?", UNLISTED)).isZero();
        assertThat(skipped() - skippedBefore).as("every event's skip counted once").isEqualTo(8 * BATCH);
    }

    @Test
    void whileARouteIsOrderedTheBatchesTakeTurns() throws Exception {
        db().update("UPDATE iu_outbound_route SET ordered = true WHERE route_key = ?", LIVE);
        long after = lastEvent();
        try (Connection holder = db().owner().getConnection()) {
            holdSkipCounter(holder);
            data.events(TYPE, 4 * BATCH, 8);
            // one batch in the route table, waiting for the counter; the other waiting for its turn to claim
            await().atMost(WAIT).until(() -> waitingFor(ROW_LOCK) == 1 && waitingFor("advisory") == 1);
            assertThat(waitingFor(ROW_LOCK)).as("batches in the route table at once").isEqualTo(1);
            holder.rollback();
        }
        assertEachDispatchedOnce(after, 4 * BATCH);
    }

    @Test
    void aTrickleIsDispatchedOneBatchAtATime() throws Exception {
        long after = lastEvent();
        try (Connection holder = db().owner().getConnection()) {
            holdSkipCounter(holder);
            data.event(TYPE, "trickle", "{}");
            await().atMost(WAIT).until(() -> waitingFor(ROW_LOCK) == 1);
            // each insert notifies the dispatcher; none of these short batches engages a second one
            for (int i = 0; i < 3; i++) {
                data.event(TYPE, "trickle", "{}");
            }
            await().during(Duration.ofSeconds(2)).atMost(WAIT).until(() -> waitingFor(ROW_LOCK) == 1);
            holder.rollback();
        }
        assertEachDispatchedOnce(after, 4);
    }

    /** Every event after {@code after} dispatched, {@code events} of them, each with exactly one delivery. */
    private static void assertEachDispatchedOnce(long after, int events) {
        await().atMost(WAIT).until(() -> db().queryLong("SELECT count(*) FROM event_outbox WHERE id > ? AND status = 'pending'", after) == 0);
        assertThat(db().queryLong("SELECT count(*) FROM event_outbox WHERE id > ? AND status = 'dispatched'", after))
                .isEqualTo(events);
        assertThat(db().queryLong("""
                SELECT count(*) FROM event_outbox e
                 WHERE e.id > ? AND (SELECT count(*) FROM iu_route_delivery d WHERE d.event_id = e.event_id) <> 1""", after))
                .as("events without exactly one delivery").isZero();
    }

    private static void holdSkipCounter(Connection holder) throws SQLException {
        holder.setAutoCommit(false);
        try (PreparedStatement lock = holder.prepareStatement(
                "SELECT 1 FROM iu_route_skip WHERE route_key = ? AND reason = 'not_live' FOR UPDATE")) {
            lock.setString(1, UNLISTED);
            lock.execute();
        }
    }

    /** The newest event's id: what a test inserts comes after it. */
    private static long lastEvent() {
        return db().queryLong("SELECT coalesce(max(id), 0) FROM event_outbox");
    }

    private static long skipped() {
        return db().queryLong("SELECT events_skipped FROM iu_route_skip WHERE route_key = ? AND reason = 'not_live'", UNLISTED);
    }

    /** The relay's sessions waiting for a lock of these kinds (pg_stat_activity.wait_event). */
    private static long waitingFor(String... kinds) {
        // as the superuser: the relay's sessions are another role's
        return db().superuserQueryLong("""
                SELECT count(*) FROM pg_stat_activity
                 WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event IN ('%s')"""
                .formatted(String.join("', '", kinds)));
    }
}
