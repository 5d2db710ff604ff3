package dev.iucore.pipeline.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.TestDb;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the foreign key of a delivery's event promised, kept once a statement (V097) and by the event's
 * outbox row (V098), on the real database: a delivery's event exists under both its keys and is held
 * until the delivery commits, deleting or truncating events takes their deliveries and attempts, and
 * neither key of an event changes under them.
 */
class DeliveryEventCheckTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final String ROUTE = "event-check";
    private static final String NEW_DELIVERY = """
            INSERT INTO iu_route_delivery (event_id, outbox_id, aggregate_id, route_kind, route_key)
            SELECT e.event_id, e.id, e.aggregate_id, 'outbound', ? FROM event_outbox e WHERE e.event_id = CAST(? AS uuid)""";

    private static TestDb db() {
        return DB.db();
    }

    @BeforeEach
    void empty() {
        db().update("TRUNCATE event_outbox, iu_route_delivery, iu_route_attempt CASCADE");
    }

    @Test
    void aStatementWithADeliveryWhoseEventIsNotThereFailsWholeAndLeavesTheOthersAsTheyWere() {
        String kept = event();
        delivery(kept);
        String other = event();

        assertThatThrownBy(() -> db().update("""
                INSERT INTO iu_route_delivery (event_id, outbox_id, aggregate_id, route_kind, route_key)
                SELECT e.event_id, e.id, 'a-1', 'outbound', ? FROM event_outbox e WHERE e.event_id = CAST(? AS uuid)
                UNION ALL
                VALUES (CAST(? AS uuid), 0, 'a-1', 'outbound', ?)""",
                ROUTE, other, UUID.randomUUID().toString(), ROUTE))
                .hasMessageContaining("is not in event_outbox")
                .hasRootCauseInstanceOf(SQLException.class)
                .rootCause().extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("23503");

        assertThat(db().queryLong("SELECT count(*) FROM iu_route_delivery")).as("the delivery before, alone").isEqualTo(1);
        assertThat(db().queryLong("SELECT count(*) FROM iu_route_delivery WHERE event_id = CAST(? AS uuid)", kept)).isEqualTo(1);
        assertThat(db().count("event_outbox")).isEqualTo(2);
    }

    @Test
    void aDeliveryWhoseOutboxRowIsAnotherEventsFailsAsAMissingEventDoes() {
        String one = event();
        String other = event();

        // both events exist, but the row pairs one's event_id with the other's outbox row
        assertThatThrownBy(() -> db().update("""
                INSERT INTO iu_route_delivery (event_id, outbox_id, aggregate_id, route_kind, route_key)
                SELECT CAST(? AS uuid), e.id, e.aggregate_id, 'outbound', ? FROM event_outbox e WHERE e.event_id = CAST(? AS uuid)""",
                one, ROUTE, other))
                .hasMessageContaining("a delivery's event " + one + " is not in event_outbox under its outbox_id")
                .rootCause().extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("23503");
        // nor does a right row for the same event in the same statement hide the wrong one
        assertThatThrownBy(() -> db().update(NEW_DELIVERY + """

                UNION ALL
                SELECT e.event_id, o.id, e.aggregate_id, 'outbound', ?
                  FROM event_outbox e, event_outbox o WHERE e.event_id = CAST(? AS uuid) AND o.event_id = CAST(? AS uuid)""",
                ROUTE, one, ROUTE + "-2", one, other)).hasMessageContaining("is not in event_outbox under its outbox_id");

        assertThat(db().count("iu_route_delivery")).isZero();
    }

    @Test
    void deletingEventsDeletesTheirDeliveriesAndTheirAttemptsAndNothingElse() {
        String gone = event();
        String kept = event();
        attempt(delivery(gone));
        attempt(delivery(kept));

        // the runtime role, as a rollback or a retention run deletes them
        try (Connection c = db().runtime().getConnection(); Statement s = c.createStatement()) {
            assertThat(s.executeUpdate("DELETE FROM event_outbox WHERE event_id = '" + gone + "'")).isEqualTo(1);
        } catch (SQLException e) {
            throw new AssertionError(e);
        }

        assertThat(db().queryLong("SELECT count(*) FROM iu_route_delivery WHERE event_id = CAST(? AS uuid)", gone)).isZero();
        assertThat(db().queryLong("SELECT count(*) FROM iu_route_delivery WHERE event_id = CAST(? AS uuid)", kept)).isEqualTo(1);
        assertThat(db().count("iu_route_attempt")).as("the kept delivery's attempt only").isEqualTo(1);
    }

    @Test
    void truncatingTheOutboxEmptiesTheDeliveries() {
        attempt(delivery(event()));

        db().update("TRUNCATE event_outbox");

        assertThat(db().count("iu_route_delivery")).isZero();
        assertThat(db().count("iu_route_attempt")).isZero();
    }

    @Test
    void neitherKeyOfAnEventChangesUnderItsDeliveriesNorADeliverysEvent() {
        String delivered = event();
        long delivery = delivery(delivered);
        String alone = event();

        assertThatThrownBy(() -> db().update("UPDATE event_outbox SET event_id = gen_random_uuid() WHERE event_id = CAST(? AS uuid)",
                delivered)).hasMessageContaining("has deliveries: its event_id and id do not change");
        assertThatThrownBy(() -> db().update("UPDATE event_outbox SET id = id + 1000000 WHERE event_id = CAST(? AS uuid)",
                delivered)).hasMessageContaining("has deliveries: its event_id and id do not change");
        assertThatThrownBy(() -> db().update("UPDATE iu_route_delivery SET event_id = CAST(? AS uuid) WHERE id = ?", alone, delivery))
                .hasMessageContaining("a delivery's event does not change");
        assertThatThrownBy(() -> db().update("UPDATE iu_route_delivery SET outbox_id = outbox_id + 1 WHERE id = ?", delivery))
                .hasMessageContaining("a delivery's event does not change");
        assertThat(db().queryLong("SELECT count(*) FROM iu_route_delivery WHERE id = ? AND event_id = CAST(? AS uuid)",
                delivery, delivered)).isEqualTo(1);
        // an event with no delivery is nobody's: as under the key, its ids may change
        assertThat(db().update("UPDATE event_outbox SET event_id = gen_random_uuid(), id = id + 1000000 "
                + "WHERE event_id = CAST(? AS uuid)", alone)).isEqualTo(1);
    }

    @Test
    void anUncommittedDeliveryHoldsItsEventAgainstADeletionWhichThenTakesTheDeliveryToo() throws Exception {
        String event = event();
        try (Connection creating = db().runtime().getConnection()) {
            creating.setAutoCommit(false);
            try (var ps = creating.prepareStatement(NEW_DELIVERY)) {
                ps.setString(1, ROUTE);
                ps.setString(2, event);
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
            CompletableFuture<Integer> deletion = CompletableFuture.supplyAsync(
                    () -> db().update("DELETE FROM event_outbox WHERE event_id = CAST(? AS uuid)", event));
            await().atMost(Duration.ofSeconds(30)).until(() -> deletion.isDone() || db().queryLong("""
                    SELECT count(*) FROM pg_stat_activity
                     WHERE datname = current_database() AND wait_event_type = 'Lock'
                       AND query LIKE 'DELETE FROM event_outbox%'""") == 1);
            assertThat(deletion).as("the deletion waits on the lock the delivery's statement took on its event").isNotDone();
            creating.commit();

            assertThat(deletion.get()).isEqualTo(1);
        }
        assertThat(db().queryLong("SELECT count(*) FROM iu_route_delivery WHERE event_id = CAST(? AS uuid)", event))
                .as("no delivery outlives its event").isZero();
    }

    private static String event() {
        return new RelayData(db()).event("test.event-check", "a-1", "{}").toString();
    }

    private static long delivery(String eventId) {
        return db().queryLong(NEW_DELIVERY + " RETURNING id", ROUTE, eventId);
    }

    private static void attempt(long delivery) {
        db().update("INSERT INTO iu_route_attempt (delivery_id, attempt_no, outcome, node) VALUES (?, 1, 'failed', 'test')", delivery);
    }
}
