package dev.iucore.pipeline.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.RelayExtension;
import dev.iucore.pipeline.testing.RunningPipeline;
import dev.iucore.pipeline.testing.TestDb;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The delayed lane's Quartz route releases held events through the same gates and route table as the live relay. */
class DelayedLaneTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final RelayExtension RELAY = new RelayExtension(DB, "lane-test",
            () -> Map.of(Setting.DELAYED_LANE_CRON, RunningPipeline.EVERY_SECOND, Setting.DELAYED_LANE_BATCH_SIZE, "2"));

    private final RelayData data = RELAY.data();

    @BeforeAll
    static void routeTable() {
        RELAY.data().registerType("test.lane.report", "delayed")
                .route("lane-listed", "test.lane.report", "log:lane-listed")
                .route("lane-unlisted", "test.lane.report", "log:lane-unlisted");
    }

    @BeforeEach
    void closeGates() {
        data.closeGates();
    }

    private static TestDb db() {
        return DB.db();
    }

    @Test
    void heldEventsAreReleasedThroughTheGatesAndTheRouteTable() {
        data.openGates(false, "lane-listed");
        List<UUID> reports = List.of(data.event("test.lane.report", "r-1", "{}"), data.event("test.lane.report", "r-2", "{}"),
                data.event("test.lane.report", "r-3", "{}"));
        UUID composed = data.event("iu.template.instance_auto_composed", "c-1", "{}");

        // batches of 2: the three reports take two batches of one run
        await().atMost(WAIT).until(() -> reports.stream().allMatch(e -> "delivered".equals(data.deliveryStatus(e, "lane-listed"))));
        assertThat(reports).allSatisfy(e -> {
            assertThat(data.status(e)).isEqualTo("dispatched");
            assertThat(db().query("SELECT route_key FROM iu_route_delivery WHERE event_id = ?", e))
                    .as("only the route delivery_live_routes lists").containsExactly(Map.of("route_key", "lane-listed"));
        });

        // internal only: released with zero deliveries, attempts or dead letters
        await().atMost(WAIT).until(() -> "dispatched".equals(data.status(composed)));
        assertThat(db().queryLong("SELECT count(*) FROM iu_route_delivery WHERE event_id = ?", composed)).isZero();
        assertThat(db().queryLong("SELECT count(*) FROM iu_route_dead_letter WHERE event_id = ?", composed)).isZero();
        assertThat(db().queryValue("SELECT locked_by FROM event_outbox WHERE event_id = ?", composed)).isNull();
    }

    @Test
    void whileDeliveryIsClosedNothingIsReleasedAndHeldEventsStayExactlyAsTheyWere() {
        UUID report = data.event("test.lane.report", "r-9", "{}");
        await().atMost(WAIT).until(() -> "held".equals(data.status(report)));
        Map<String, Object> before = db().query("SELECT *, xmin::text AS version FROM event_outbox WHERE event_id = ?", report).get(0);

        NotifyBuilder twoRuns = new NotifyBuilder(RELAY.pipeline().camelContext()).fromRoute("delayed-lane-schedule").whenDone(2).create();
        assertThat(twoRuns.matches(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the delayed lane ran").isTrue();

        assertThat(db().query("SELECT *, xmin::text AS version FROM event_outbox WHERE event_id = ?", report).get(0))
                .as("not even rewritten").isEqualTo(before);
        assertThat(db().queryLong("SELECT count(*) FROM iu_route_delivery WHERE event_id = ?", report)).isZero();

        data.openGates(false, "lane-listed");
        await().atMost(WAIT).until(() -> "delivered".equals(data.deliveryStatus(report, "lane-listed")));
    }

    @Test
    void aHeldEventWhoseTypeWasDisabledSinceIsDeadLettered() {
        data.registerType("test.lane.retired", "delayed");
        UUID retired = data.event("test.lane.retired", "x-1", "{}");
        await().atMost(WAIT).until(() -> "held".equals(data.status(retired)));
        db().update("UPDATE event_type_registry SET enabled = false WHERE event_type = 'test.lane.retired'");

        data.openGates(false, "lane-listed");

        await().atMost(WAIT).until(() -> "dead".equals(data.status(retired)));
        assertThat(db().queryValue("SELECT reason FROM iu_route_dead_letter WHERE event_id = ?", retired)).isEqualTo("type_disabled");
    }

    @Test
    void eventsTheLaneReleasesOrDeadLettersAreCountedInTheDispatchMetrics() {
        data.registerType("test.lane.counted", "delayed").registerType("test.lane.withdrawn", "delayed");
        List<UUID> counted = List.of(data.event("test.lane.counted", "m-1", "{}"), data.event("test.lane.counted", "m-2", "{}"));
        UUID withdrawn = data.event("test.lane.withdrawn", "m-3", "{}");
        await().atMost(WAIT).until(() -> counted.stream().allMatch(e -> "held".equals(data.status(e)))
                && "held".equals(data.status(withdrawn)));
        db().update("UPDATE event_type_registry SET enabled = false WHERE event_type = 'test.lane.withdrawn'");
        double disabledBefore = counter("iu.events.dead.lettered", "reason", "type_disabled");

        data.openGates(false, "lane-listed");

        await().atMost(WAIT).until(() -> counted.stream().allMatch(e -> "dispatched".equals(data.status(e)))
                && "dead".equals(data.status(withdrawn)));
        // counted after the commit, so a moment after the rows show
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(counter("iu.events.dispatched", "event_type", "test.lane.counted")).isEqualTo(2);
            assertThat(counter("iu.events.dead.lettered", "reason", "type_disabled")).isEqualTo(disabledBefore + 1);
        });
        // held once by the dispatcher, never again by the lane that released them
        assertThat(counter("iu.events.held", "event_type", "test.lane.counted")).isEqualTo(2);
    }

    private static double counter(String name, String tag, String value) {
        Counter counter = RELAY.pipeline().service().metrics().registry().find(name).tag(tag, value).counter();
        return counter == null ? 0 : counter.count();
    }
}
