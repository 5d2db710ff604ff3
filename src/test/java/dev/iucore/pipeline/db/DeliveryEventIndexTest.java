package dev.iucore.pipeline.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.TestDb;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The one index of a delivery's event (V096), keyed by the event's outbox row since V098, on the real
 * database: an event x route has one original delivery, a delivery is replayed by one delivery, and the
 * index serves what reads a delivery by its event (an event's deletion among them, V097) in place of the
 * index V010 added for it; no index of a delivery leads with the event's random uuid.
 */
class DeliveryEventIndexTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final String ROUTE = "event-index";

    private static TestDb db() {
        return DB.db();
    }

    @Test
    void anEventAndRouteHaveOneOriginalDeliveryAndADeliveryIsReplayedOnce() {
        long original = delivery(event(), null);
        Object eventId = db().queryValue("SELECT event_id FROM iu_route_delivery WHERE id = ?", original);

        assertThatThrownBy(() -> db().update("INSERT INTO iu_route_delivery (event_id, outbox_id, aggregate_id, route_kind, route_key) "
                + "SELECT event_id, outbox_id, aggregate_id, route_kind, route_key FROM iu_route_delivery WHERE id = ?", original))
                .hasMessageContaining("iu_route_delivery_outbox_route_replay_uq");
        long replay = delivery(eventId, original);
        assertThatThrownBy(() -> delivery(eventId, original)).hasMessageContaining("iu_route_delivery_outbox_route_replay_uq");
        delivery(eventId, replay);
        assertThat(db().queryLong("SELECT count(*) FROM iu_route_delivery WHERE event_id = CAST(? AS uuid)", eventId.toString()))
                .as("the original, its replay, and the replay's replay").isEqualTo(3);

        // the dispatcher's and the backfill's ON CONFLICT name the index's columns: a second original is nothing
        assertThat(db().update("INSERT INTO iu_route_delivery (event_id, outbox_id, aggregate_id, route_kind, route_key) "
                + "SELECT event_id, outbox_id, aggregate_id, route_kind, route_key FROM iu_route_delivery WHERE id = ? "
                + "ON CONFLICT (outbox_id, route_key, (coalesce(replay_of, 0))) DO NOTHING", original)).isZero();
    }

    @Test
    void whatReadsADeliveryByItsEventReadsTheIndexAndAnEventsDeletionTakesItsDeliveries() throws Exception {
        Object eventId = event();
        long original = delivery(eventId, null);
        delivery(eventId, original);
        long outboxId = db().queryLong("SELECT outbox_id FROM iu_route_delivery WHERE id = ?", original);
        try (Connection c = db().owner().getConnection(); Statement s = c.createStatement()) {
            // the plans an event's deletion (V097) and a lookup by event get on a table of any size
            s.execute("SET enable_seqscan = off");
            assertThat(plan(s, "EXPLAIN DELETE FROM iu_route_delivery WHERE outbox_id = " + outboxId))
                    .contains("iu_route_delivery_outbox_route_replay_uq");
            assertThat(plan(s, "EXPLAIN SELECT id FROM iu_route_delivery WHERE outbox_id = " + outboxId + " AND replay_of IS NULL"))
                    .contains("iu_route_delivery_outbox_route_replay_uq");
        }
        assertThat(db().queryLong("SELECT count(*) FROM pg_indexes WHERE indexname = 'iu_route_delivery_event_idx'")).isZero();
        assertThat(db().queryLong("""
                SELECT count(*) FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                 WHERE i.indrelid = 'iu_route_delivery'::regclass AND a.attname = 'event_id'"""))
                .as("an index that leads with the event's uuid").isZero();

        db().update("DELETE FROM event_outbox WHERE event_id = CAST(? AS uuid)", eventId.toString());
        assertThat(db().queryLong("SELECT count(*) FROM iu_route_delivery WHERE event_id = CAST(? AS uuid)", eventId.toString()))
                .isZero();
    }

    private static String plan(Statement s, String explain) throws Exception {
        List<String> lines = new ArrayList<>();
        try (ResultSet rs = s.executeQuery(explain)) {
            while (rs.next()) {
                lines.add(rs.getString(1));
            }
        }
        return String.join("\n", lines);
    }

    private static Object event() {
        return new RelayData(db()).event("test.event-index", "a-1", "{}");
    }

    private static long delivery(Object eventId, Long replayOf) {
        return db().queryLong("""
                INSERT INTO iu_route_delivery (event_id, outbox_id, aggregate_id, route_kind, route_key, replay_of, status)
                SELECT e.event_id, e.id, e.aggregate_id, 'outbound', ?, ?, CASE WHEN ? THEN 'dead' ELSE 'pending' END
                  FROM event_outbox e WHERE e.event_id = CAST(? AS uuid) RETURNING id""",
                ROUTE, replayOf, replayOf == null, eventId.toString());
    }
}
