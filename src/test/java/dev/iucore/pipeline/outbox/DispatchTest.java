package dev.iucore.pipeline.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.RelayExtension;
import dev.iucore.pipeline.testing.TestDb;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The dispatcher's order of checks: registry, lane, gate, route table. */
class DispatchTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @RegisterExtension
    static final RelayExtension RELAY = new RelayExtension(DB, "dispatch-test");

    private final RelayData data = RELAY.data();

    @BeforeAll
    static void routeTable() {
        RELAY.data().registerType("test.dispatch.live", "live")
                .route("dispatch-log", "test.dispatch.live", "log:dispatch-test")
                .route("dispatch-unlisted", "test.dispatch.live", "log:dispatch-unlisted");
    }

    @BeforeEach
    void closeGates() {
        data.closeGates();
    }

    private static TestDb db() {
        return DB.db();
    }

    @Test
    void aClosedDeliveryGateLeavesALiveEventExactlyAsItWasWithNoDeliveryWork() {
        UUID live = data.event("test.dispatch.live", "agg-1", "{\"v\": 1}");
        Map<String, Object> before = db().query("SELECT *, xmin::text AS version FROM event_outbox WHERE event_id = ?", live).get(0);
        // an unregistered event inserted after it is dispatched even now: once it is, the dispatcher has been past both
        UUID marker = data.event("test.dispatch.never-registered", "agg-1", "{}");
        await().atMost(Duration.ofSeconds(20)).until(() -> "dead".equals(data.status(marker)));

        Map<String, Object> after = db().query("SELECT *, xmin::text AS version FROM event_outbox WHERE event_id = ?", live).get(0);
        assertThat(after).as("not even rewritten: same row version, no lease").isEqualTo(before);
        assertThat(after.get("status")).isEqualTo("pending");
        assertThat(after.get("locked_by")).isNull();
        for (String table : List.of("iu_route_delivery", "iu_route_dead_letter")) {
            assertThat(db().queryLong("SELECT count(*) FROM " + table + " WHERE event_id = ?", live)).as(table).isZero();
        }
        assertThat(db().queryLong("""
                SELECT count(*) FROM iu_route_attempt a JOIN iu_route_delivery d ON d.id = a.delivery_id
                 WHERE d.event_id = ?""", live)).isZero();

        // and once the gate opens, the same event flows
        data.openGates(false, "dispatch-log");
        await().atMost(Duration.ofSeconds(20)).until(() -> "delivered".equals(data.deliveryStatus(live, "dispatch-log")));
    }

    @Test
    void aRouteTheGatesDoNotAllowIsSkippedVisiblyCountedPerRouteAndReason() {
        data.registerType("test.dispatch.skips", "live")
                .route("skips-live", "test.dispatch.skips", "log:skips-live")
                .route("skips-unlisted", "test.dispatch.skips", "log:skips-unlisted")
                .route("skips-off", "test.dispatch.skips", "log:skips-off", Map.of("enabled", false));
        data.openGates(false, "skips-live", "skips-off");
        UUID first = data.event("test.dispatch.skips", "agg-1", "{}");
        UUID second = data.event("test.dispatch.skips", "agg-2", "{}");
        await().atMost(Duration.ofSeconds(20)).until(() -> "dispatched".equals(data.status(first))
                && "dispatched".equals(data.status(second)));

        assertThat(db().queryLong("SELECT count(*) FROM iu_route_delivery WHERE route_key = 'skips-live'")).isEqualTo(2);
        assertThat(db().queryLong("SELECT count(*) FROM iu_route_delivery WHERE route_key IN ('skips-unlisted', 'skips-off')"))
                .isZero();
        Map<String, Object> unlisted = db().query("SELECT * FROM iu_route_skip WHERE route_key = 'skips-unlisted'").get(0);
        assertThat(unlisted.get("reason")).isEqualTo("not_live");
        assertThat(unlisted.get("events_skipped")).isEqualTo(2L);
        assertThat(unlisted.get("last_event_id")).isIn(first, second);
        assertThat(db().queryValue("SELECT reason FROM iu_route_skip WHERE route_key = 'skips-off'")).isEqualTo("route_disabled");
        assertThat(db().queryLong("SELECT count(*) FROM iu_route_skip WHERE route_key = 'skips-live'")).isZero();
        // the route table as an operator reads it says so too
        assertThat(db().queryLong("SELECT events_skipped FROM iu_core_route_status WHERE route_key = 'skips-unlisted'"))
                .isEqualTo(2);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(RELAY.pipeline().service().metrics().registry()
                .find("iu.deliveries.skipped").tag("route", "skips-unlisted").tag("reason", "not_live").counter().count())
                .isEqualTo(2));
    }

    @Test
    void aDelayedLaneEventIsHeldWithNoDelivery() {
        data.openGates(false, "dispatch-log");
        UUID composed = data.event("iu.template.instance_auto_composed", "collection-1", "{}");
        await().atMost(Duration.ofSeconds(20)).until(() -> "held".equals(data.status(composed)));
        assertThat(db().queryLong("SELECT count(*) FROM iu_route_delivery WHERE event_id = ?", composed)).isZero();
        assertThat(db().queryValue("SELECT locked_by FROM event_outbox WHERE event_id = ?", composed)).isNull();
    }

    @Test
    void aDelayedLaneEventIsHeldEvenWhileTheGateIsClosed() {
        UUID composed = data.event("iu.template.instance_auto_composed", "collection-2", "{}");
        await().atMost(Duration.ofSeconds(20)).until(() -> "held".equals(data.status(composed)));
    }

    @Test
    void anUnregisteredTypeIsDeadLetteredWithItsSnapshot() {
        UUID stray = data.event("test.dispatch.unknown", "agg-9", "{\"why\": \"typo\"}");
        await().atMost(Duration.ofSeconds(20)).until(() -> "dead".equals(data.status(stray)));
        Map<String, Object> letter = db().query("""
                SELECT reason, route_key, delivery_id, event_type, event_snapshot ->> 'aggregate_id' AS aggregate,
                       event_snapshot -> 'payload' ->> 'why' AS why, last_error
                  FROM iu_route_dead_letter WHERE event_id = ?""", stray).get(0);
        assertThat(letter).containsEntry("reason", "unregistered_type").containsEntry("event_type", "test.dispatch.unknown")
                .containsEntry("aggregate", "agg-9").containsEntry("why", "typo");
        assertThat(letter.get("route_key")).isNull();
        assertThat(letter.get("delivery_id")).isNull();
        assertThat((String) letter.get("last_error")).contains("not in event_type_registry");
    }

    @Test
    void aDisabledTypeIsDeadLetteredAsTypeDisabled() {
        data.registerType("test.dispatch.disabled", "live");
        db().update("UPDATE event_type_registry SET enabled = false WHERE event_type = 'test.dispatch.disabled'");
        UUID event = data.event("test.dispatch.disabled", "agg-3", "{}");
        await().atMost(Duration.ofSeconds(20)).until(() -> "dead".equals(data.status(event)));
        assertThat(db().queryValue("SELECT reason FROM iu_route_dead_letter WHERE event_id = ?", event))
                .isEqualTo("type_disabled");
    }

    @Test
    void aRouteNotListedInDeliveryLiveRoutesGetsNoDelivery() {
        data.openGates(false, "dispatch-log");
        UUID event = data.event("test.dispatch.live", "agg-4", "{}");
        await().atMost(Duration.ofSeconds(20)).until(() -> "dispatched".equals(data.status(event)));
        assertThat(db().query("SELECT route_key FROM iu_route_delivery WHERE event_id = ?", event))
                .containsExactly(Map.of("route_key", "dispatch-log"));
    }

    @Test
    void anEventWithoutAnyRouteIsDispatchedWithZeroDeliveries() {
        data.openGates(false, "dispatch-log");
        UUID event = data.event("iu.document.published", "doc-1", "{}");
        await().atMost(Duration.ofSeconds(20)).until(() -> "dispatched".equals(data.status(event)));
        assertThat(db().queryLong("SELECT count(*) FROM iu_route_delivery WHERE event_id = ?", event)).isZero();
        assertThat(db().queryValue("SELECT dispatched_at IS NOT NULL FROM event_outbox WHERE event_id = ?", event)).isEqualTo(true);
    }

    @Test
    void anEventNotYetAvailableWaitsForItsTime() {
        data.openGates(false, "dispatch-log");
        UUID later = UUID.randomUUID();
        db().update("""
                INSERT INTO event_outbox (event_id, event_type, aggregate_type, aggregate_id, available_at)
                VALUES (?, 'test.dispatch.live', 'test', 'agg-5', now() + interval '1 hour')""", later);
        UUID now = data.event("test.dispatch.live", "agg-6", "{}");
        await().atMost(Duration.ofSeconds(20)).until(() -> "dispatched".equals(data.status(now)));
        assertThat(data.status(later)).isEqualTo("pending");
        // its time comes
        db().update("UPDATE event_outbox SET available_at = now() WHERE event_id = ?", later);
        await().atMost(Duration.ofSeconds(20)).until(() -> "dispatched".equals(data.status(later)));
    }
}
