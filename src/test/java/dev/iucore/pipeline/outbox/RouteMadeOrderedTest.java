package dev.iucore.pipeline.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.delivery.DeliveryClaimer;
import dev.iucore.pipeline.delivery.DeliveryHandOff;
import dev.iucore.pipeline.delivery.DeliveryTask;
import dev.iucore.pipeline.delivery.RouteWindows;
import dev.iucore.pipeline.metrics.PipelineMetrics;
import dev.iucore.pipeline.relay.RelayCommit;
import dev.iucore.pipeline.relay.RelayGates;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.TestDb;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The per-aggregate order index holds only what an ordered route needs (V099): a dispatch batch
 * creates an unordered route's deliveries out of it, and a route made ordered brings its open
 * deliveries in, those of the batches in progress included, before the claim reads them in order.
 */
class RouteMadeOrderedTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final String TYPE = "test.made_ordered";
    private static final String FREE = "made-ordered-free";
    private static final String ORDERED = "made-ordered-ordered";
    private static final String TURNING = "made-ordered-turning";
    private static final RelayGates GATES = new RelayGates(true, List.of(FREE, ORDERED, TURNING), false);
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** The route-order lock's key (fn_iu_core_route_order_lock): "iu-orc". */
    private static final long ROUTE_ORDER_LOCK = 0x69_75_2D_6F_72_63L;

    @BeforeAll
    static void routeTable() {
        new RelayData(DB.db()).registerType(TYPE, "live").route(FREE, TYPE, "log:made-ordered-free")
                .route(ORDERED, TYPE, "log:made-ordered-ordered", Map.of("ordered", true))
                .route(TURNING, TYPE, "log:made-ordered-turning").openGates(false, FREE, ORDERED, TURNING);
    }

    @BeforeEach
    void noDeliveries() {
        db().update("DELETE FROM iu_route_delivery WHERE route_key LIKE 'made-ordered-%'");
        db().update("UPDATE iu_outbound_route SET ordered = false WHERE route_key = ?", TURNING);
    }

    private static TestDb db() {
        return DB.db();
    }

    @Test
    void aBatchCreatesAnUnorderedRoutesDeliveriesOutOfTheOrderIndexAndAnOrderedRoutesInIt() throws Exception {
        try (Connection batch = batch()) {
            dispatch(batch, pending(2));
            batch.commit();
        }

        assertThat(unorderedByRoute()).containsExactlyInAnyOrderEntriesOf(
                Map.of(FREE, List.of(true, true), ORDERED, List.of(false, false), TURNING, List.of(true, true)));
    }

    @ParameterizedTest(name = "the route {0}")
    @ValueSource(strings = {"set ordered", "created ordered"})
    void aRouteMadeOrderedBringsItsOpenDeliveriesIntoTheIndexAndTheClaimTakesEachAggregatesFirstOnly(String how)
            throws Exception {
        List<Long> events = pending(3);
        try (Connection batch = batch()) {
            dispatch(batch, events);
            batch.commit();
        }
        db().update("UPDATE iu_route_delivery SET status = 'delivered', delivered_at = now() WHERE route_key = ? AND outbox_id = ?",
                TURNING, events.get(0));

        if (how.equals("set ordered")) {
            db().update("UPDATE iu_outbound_route SET ordered = true WHERE route_key = ?", TURNING);
        } else {
            db().update("DELETE FROM iu_outbound_route WHERE route_key = ?", TURNING);
            new RelayData(db()).route(TURNING, TYPE, "log:made-ordered-turning", Map.of("ordered", true));
        }

        assertThat(unorderedByRoute().get(TURNING)).as("the delivered one stays out, the two open ones come in")
                .containsExactly(true, false, false);
        try (Connection c = RelayCommit.open(db().runtime())) {
            List<DeliveryTask> claimed = claimer().claim(c, 10);
            assertThat(claimed).filteredOn(task -> task.routeKey().equals(TURNING)).extracting(DeliveryTask::eventId)
                    .as("the aggregate's first open event only")
                    .containsExactly((UUID) db().queryValue("SELECT event_id FROM event_outbox WHERE id = ?", events.get(1)));
            c.rollback();
        }
    }

    @Test
    void aRouteMadeOrderedWaitsForTheBatchesInProgressBringsTheirDeliveriesInAndTheBatchesAfterItReadItOrdered()
            throws Exception {
        try (Connection inProgress = batch(); Connection after = batch()) {
            dispatch(inProgress, pending(1));
            CompletableFuture<Void> madeOrdered = CompletableFuture.runAsync(
                    () -> db().update("UPDATE iu_outbound_route SET ordered = true WHERE route_key = ?", TURNING));
            await().atMost(WAIT).until(() -> waitingForTheRouteOrderLock() == 1);

            CompletableFuture<Void> next = CompletableFuture.runAsync(() -> {
                try {
                    dispatch(after, pending(1));
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(WAIT).until(() -> waitingForTheRouteOrderLock() == 2);
            assertThat(madeOrdered).as("waits for the batch in progress").isNotDone();

            inProgress.commit();
            madeOrdered.get(10, TimeUnit.SECONDS);
            next.get(10, TimeUnit.SECONDS);
            after.commit();
        }

        assertThat(unorderedByRoute().get(TURNING)).as("the batch in progress's and the one after it, both in the index")
                .containsExactly(false, false);
    }

    /** A batch's steps up to its deliveries, on its transaction: its turn, then the route table for the events, none leased. */
    private static void dispatch(Connection batch, List<Long> events) throws SQLException {
        OrderedDispatch.awaitTurn(batch);
        try (DeliveryClaimer.HandOver slots = claimer().handOver().orElseThrow()) {
            Map<String, Object> forTheClaim = new HashMap<>(slots.parameters());
            forTheClaim.put("limit", 0);
            new RouteResolver(DeliveryHandOff.NONE).createDeliveries(batch, events, GATES, forTheClaim);
        }
    }

    private static Connection batch() throws SQLException {
        return RelayCommit.open(db().runtime());
    }

    private static DeliveryClaimer claimer() {
        return new DeliveryClaimer(db().runtime(), "made-ordered-test", 100, 1L << 30, new RouteWindows(8, 8, 1000),
                60_000, 31_000, () -> 8, new PipelineMetrics(new SimpleMeterRegistry()));
    }

    /** n pending events of one aggregate, their outbox ids in order. */
    private static List<Long> pending(int n) {
        return new RelayData(db()).events(TYPE, n, 1);
    }

    /** Each route's deliveries' unordered flags, in outbox order. */
    private static Map<String, List<Boolean>> unorderedByRoute() {
        return db().query("""
                SELECT route_key, array_agg(unordered ORDER BY outbox_id)::text AS flags FROM iu_route_delivery
                 WHERE route_key LIKE 'made-ordered-%' GROUP BY route_key""").stream()
                .collect(Collectors.toMap(row -> (String) row.get("route_key"),
                        row -> Arrays.stream(((String) row.get("flags")).replaceAll("[{}]", "").split(","))
                                .map(flag -> flag.equals("t")).toList()));
    }

    /** Sessions waiting for the route-order lock. */
    private static long waitingForTheRouteOrderLock() {
        return db().waitingForAdvisoryLock(ROUTE_ORDER_LOCK);
    }
}
