package dev.iucore.pipeline.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.iucore.pipeline.metrics.PipelineMetrics;
import dev.iucore.pipeline.relay.RelayCommit;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.StaleStatistics;
import dev.iucore.pipeline.testing.TestDb;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.Message;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * When a finished try wakes the delivery claimer, the claimer alone on the real database: only when
 * its last claim says a claim would find something (the route's slots were all taken, due
 * deliveries were left for the limit, the route is ordered); not when everything due was taken, so
 * a trickle of events costs no claim beyond the dispatch, not one per delivery.
 */
class DeliveryClaimerTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final String NODE = "claimer-test";
    private static final String ROUTE = "claimer-hook";
    private static final String ORDERED = "claimer-ordered";
    private static final String SQL_ROUTE = "claimer-sql";
    private static final String SHORT = "claimer-short";
    private static final String KAFKA = "claimer-kafka";
    private static final CamelContext CAMEL = new DefaultCamelContext();
    private static final PipelineMetrics UNCOUNTED = new PipelineMetrics(new SimpleMeterRegistry());

    @BeforeAll
    static void routeTable() {
        new RelayData(DB.db()).registerType("test.claimer", "live")
                .route(ROUTE, "test.claimer", "log:claimer")
                .route(ORDERED, "test.claimer", "log:claimer-ordered", Map.of("ordered", true))
                .route(SHORT, "test.claimer", "http://127.0.0.1:9/short", Map.of("connect_timeout_ms", 100, "read_timeout_ms", 100))
                .route(KAFKA, "test.claimer", "kafka:claimer-topic", Map.of("connect_timeout_ms", 100, "read_timeout_ms", 100));
        DB.db().update("INSERT INTO iu_sql_event_route (route_key, event_type, action) VALUES (?, 'test.claimer', "
                + "'fn_iu_action_record_vector_sync')", SQL_ROUTE);
    }

    @AfterAll
    static void closeCamel() throws Exception {
        CAMEL.close();
    }

    @BeforeEach
    void noOpenDeliveries() {
        db().update("DELETE FROM iu_route_delivery WHERE route_key IN (?, ?, ?, ?, ?)", ROUTE, ORDERED, SQL_ROUTE, SHORT, KAFKA);
        new RelayData(db()).openGates(false, ROUTE, ORDERED);
    }

    private static TestDb db() {
        return DB.db();
    }

    @Test
    void aTryFinishedWhenEverythingDueWasTakenDoesNotWakeTheClaimer() throws Exception {
        DeliveryClaimer claimer = claimer(4, 100, 8);
        due(ROUTE, 2, false);

        List<DeliveryTask> leased = claimer.lease(CAMEL).tasks();

        assertThat(leased).hasSize(2);
        assertThat(claimNow(claimer, leased.get(0))).isFalse();
        assertThat(claimNow(claimer, leased.get(1))).isFalse();
    }

    @Test
    void aRouteWhoseSlotsWereAllTakenWakesTheClaimerOnceHalfAreFree() throws Exception {
        DeliveryClaimer claimer = claimer(4, 100, 8);
        due(ROUTE, 10, false);

        List<DeliveryTask> leased = claimer.lease(CAMEL).tasks();

        assertThat(leased).as("the route's window").hasSize(4);
        assertThat(claimNow(claimer, leased.get(0))).as("3 of 4 still in flight").isFalse();
        assertThat(claimNow(claimer, leased.get(1))).as("2 of 4: half free").isTrue();
    }

    @Test
    void aRouteWhoseSlotsWereAllTakenStaysFullThoughItsWindowWidensWhileTheClaimRuns() throws Exception {
        RouteWindows windows = new RouteWindows(4, 100, 1000);
        // tries of the route that finish while the claim runs widen its window (slow start: 4 to 6)
        DeliveryClaimer claimer = new DeliveryClaimer(onStatement(1, () -> {
            windows.ended(ROUTE, AttemptResult.delivered(204, 1));
            windows.ended(ROUTE, AttemptResult.delivered(204, 1));
        }), NODE, 100, 1L << 30, windows, 60_000, 31_000, () -> 8, UNCOUNTED);
        due(ROUTE, 10, false);

        List<DeliveryTask> leased = claimer.lease(CAMEL).tasks();

        assertThat(leased).as("the window the claim was given").hasSize(4);
        assertThat(windows.limit(ROUTE)).as("widened meanwhile").isEqualTo(6);
        assertThat(claimNow(claimer, leased.get(0))).as("3 of 4 in flight, the window 7: half free, and 6 still due")
                .isTrue();
    }

    @Test
    void aClaimDuringWhichTheRoutesTriesFinishedAsksToBeRunAgain() throws Exception {
        List<DeliveryTask> first = new ArrayList<>();
        List<Boolean> wokenMeanwhile = new ArrayList<>();
        AtomicReference<DeliveryClaimer> claimer = new AtomicReference<>();
        // the first lease's two tries finish while the second claim runs: their release reads the first
        // claim's backlog (nothing full), so they wake nobody
        claimer.set(new DeliveryClaimer(onStatement(2, () -> first.forEach(task ->
                wokenMeanwhile.add(claimNow(claimer.get(), task)))), NODE, 100, 1L << 30, new RouteWindows(4, 4, 1000),
                60_000, 31_000, () -> 8, UNCOUNTED));
        due(ROUTE, 2, false);
        first.addAll(claimer.get().lease(CAMEL).tasks());
        due(ROUTE, 6, false);

        DeliveryClaimer.Lease second = claimer.get().lease(CAMEL);

        assertThat(second.tasks()).as("the window's 2 free slots").hasSize(2);
        assertThat(wokenMeanwhile).containsExactly(false, false);
        assertThat(second.again()).as("2 of 4 in flight now, 4 still due: claim again rather than wait for the poll")
                .isTrue();
    }

    @Test
    void dueDeliveriesLeftForTheClaimsLimitWakeTheClaimerAtHalfItsCapacity() throws Exception {
        // a window wider than anything here; one worker: capacity 16, claims of at most 10
        DeliveryClaimer claimer = claimer(100, 10, 1);
        due(ROUTE, 14, false);

        List<DeliveryTask> leased = claimer.lease(CAMEL).tasks();

        assertThat(leased).hasSize(10);
        assertThat(claimNow(claimer, leased.get(0))).as("9 of 16 in flight").isFalse();
        assertThat(claimNow(claimer, leased.get(1))).as("8 of 16: half free").isTrue();
    }

    @Test
    void anOrderedRoutesFinishedTryWakesTheClaimerForTheNextEventOfItsAggregate() throws Exception {
        DeliveryClaimer claimer = claimer(4, 100, 8);
        due(ORDERED, 3, true);

        List<DeliveryTask> leased = claimer.lease(CAMEL).tasks();

        assertThat(leased).as("the aggregate's first event; the others wait for it").hasSize(1);
        assertThat(claimNow(claimer, leased.get(0))).isTrue();
    }

    @Test
    void thePollFloorAsksForAClaimOnlyWhileADeliveryIsDueAndUnleased() throws Exception {
        DeliveryClaimer claimer = claimer(4, 100, 8);
        assertThat(claimer.anyClaimable()).as("no open delivery").isFalse();
        due(ROUTE, 1, false);
        assertThat(claimer.anyClaimable()).as("due and unleased").isTrue();

        long id = claimer.lease(CAMEL).tasks().get(0).deliveryId();
        assertThat(claimer.anyClaimable()).as("leased").isFalse();

        db().update("UPDATE iu_route_delivery SET locked_until = now() - interval '1 second' WHERE id = ?", id);
        assertThat(claimer.anyClaimable()).as("its lease expired").isTrue();

        db().update("""
                UPDATE iu_route_delivery SET locked_by = NULL, locked_until = NULL, status = 'retrying',
                       next_attempt_at = now() + interval '1 hour' WHERE id = ?""", id);
        assertThat(claimer.anyClaimable()).as("a retry not yet due").isFalse();

        db().update("UPDATE iu_route_delivery SET next_attempt_at = now() - interval '1 second' WHERE id = ?", id);
        assertThat(claimer.anyClaimable()).as("the retry come due").isTrue();

        db().update("UPDATE iu_route_delivery SET status = 'delivered', delivered_at = now() WHERE id = ?", id);
        assertThat(claimer.anyClaimable()).as("delivered").isFalse();
    }

    @Test
    void aClaimLeasesARunOfConsecutiveDeliveriesInPlaceWithoutNewIndexEntries() throws Exception {
        // inserted together, they fill their pages in claim order: a claim leases whole pages' rows
        due(ROUTE, 300, false);
        DeliveryClaimer claimer = claimer(64, 64, 64);
        try (Connection c = RelayCommit.open(db().runtime())) {
            // this transaction's own counts (they include the connection's last transactions until
            // PostgreSQL reports them, so the difference): a HOT update writes the new version on its
            // page and no index entry; here 20 of 64 at V027's fillfactor (80), 56 at V094's (50)
            Map<String, Long> before = updates(c);
            assertThat(claimer.claim(c, 64)).hasSize(64);
            Map<String, Long> after = updates(c);
            assertThat(after.get("updated") - before.get("updated")).isEqualTo(64);
            assertThat(after.get("hot") - before.get("hot")).as("leases written in place").isGreaterThanOrEqualTo(48);
            c.rollback();
        }
    }

    @Test
    void aClaimLocksNoMoreOfARoutesDueDeliveriesThanItCanTakeSoAnotherRelayClaimsTheRestMeanwhile() throws Exception {
        due(ROUTE, 50, false);
        // a window of 100 free slots, claims of at most 3
        DeliveryClaimer claimer = claimer(100, 3, 8);
        try (Connection c = RelayCommit.open(db().runtime()); Connection other = RelayCommit.open(db().runtime())) {
            assertThat(claimer.claim(c, 3)).hasSize(3);
            // before the claim commits: what another relay's claim finds unlocked (one row beyond the limit
            // is read to tell whether more is due)
            assertThat(TestDb.query(other, "SELECT id FROM iu_route_delivery WHERE route_key = ? FOR UPDATE SKIP LOCKED", ROUTE))
                    .hasSize(46);
            other.rollback();
            c.rollback();
        }
    }

    private static Map<String, Long> updates(Connection c) throws Exception {
        Map<String, Object> row = TestDb.query(c, """
                SELECT n_tup_upd AS updated, n_tup_hot_upd AS hot FROM pg_stat_xact_user_tables
                 WHERE relname = 'iu_route_delivery'""").get(0);
        return Map.of("updated", (Long) row.get("updated"), "hot", (Long) row.get("hot"));
    }

    @ParameterizedTest
    @ValueSource(strings = {ROUTE, ORDERED})
    void aClaimReadsTheHeadOfTheIndexesWhenItsPlanWasMadeForEmptyTables(String route) throws Exception {
        // statistics of empty tables (a new install, a purge) ...
        StaleStatistics.emptyAndAnalysed(db(), "iu_route_delivery", "event_outbox");
        DeliveryClaimer claimer = claimer(4, 100, 8);
        try (Connection c = RelayCommit.open(db().runtime())) {
            // ... and the claim's generic plan made and kept on this connection while they are (pgjdbc
            // prepares a statement on the server at its fifth run) ...
            for (int run = 0; run < 5; run++) {
                assertThat(claimer.claim(c, 4)).isEmpty();
                c.commit();
            }
            // ... then a backlog they know nothing of
            due(route, 3000, false);

            Map<String, Long> before = StaleStatistics.rowsRead(c, "iu_route_delivery", "event_outbox");
            assertThat(claimer.claim(c, 4)).hasSize(4);
            StaleStatistics.assertFewRowsReadSince(c, before, 300);
            c.rollback();
        }
    }

    @Test
    void eachRouteShowsWhatThisProcessHasInFlightAndItsWindowInTheMetrics() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        DeliveryClaimer claimer = new DeliveryClaimer(db().runtime(), NODE, 100, 1L << 30, new RouteWindows(4, 8, 1000),
                60_000, 31_000, () -> 8, new PipelineMetrics(registry));
        assertThat(registry.find("iu.delivery.in.flight").gauges()).as("no route leased yet").isEmpty();
        due(ROUTE, 3, false);
        List<DeliveryTask> leased = claimer.lease(CAMEL).tasks();
        assertThat(leased).hasSize(3);
        assertThat(registry.get("iu.delivery.in.flight").tag("route", ROUTE).gauge().value()).isEqualTo(3);
        assertThat(registry.get("iu.delivery.window").tag("route", ROUTE).gauge().value()).isEqualTo(4);

        DeliveryAttempt timedOut = new DeliveryAttempt(leased.get(0));
        timedOut.ended(AttemptResult.failed(AttemptResult.Outcome.TIMEOUT, null, "java.net.SocketTimeoutException",
                "Read timed out", 1000));
        claimer.release(timedOut, new DefaultMessage(CAMEL));
        assertThat(registry.get("iu.delivery.in.flight").tag("route", ROUTE).gauge().value()).isEqualTo(2);
        assertThat(registry.get("iu.delivery.window").tag("route", ROUTE).gauge().value()).as("halved").isEqualTo(2);

        // at shutdown what was never tried is handed back, and the route shows nothing in flight
        assertThat(claimer.releaseUnfinished()).isEqualTo(2);
        assertThat(registry.get("iu.delivery.in.flight").tag("route", ROUTE).gauge().value()).isZero();
    }

    @Test
    void whatARouteLeasedBeyondItsShrunkenWindowIsHandedBackUntriedAndAClaimTakesItAgainWhenThereIsRoom() throws Exception {
        RouteWindows windows = new RouteWindows(4, 4, 1000);
        DeliveryClaimer claimer = new DeliveryClaimer(db().runtime(), NODE, 100, 1L << 30, windows, 60_000, 31_000, () -> 8, UNCOUNTED);
        due(ROUTE, 4, false);
        List<DeliveryTask> leased = claimer.lease(CAMEL).tasks();
        assertThat(leased).hasSize(4);

        // the first try timed out: the window halves to 2 while three leased deliveries wait for a worker
        DeliveryAttempt timedOut = new DeliveryAttempt(leased.get(0));
        timedOut.ended(AttemptResult.failed(AttemptResult.Outcome.TIMEOUT, null, "java.net.SocketTimeoutException",
                "Read timed out", 1000));
        claimer.release(timedOut, new DefaultMessage(CAMEL));
        assertThat(windows.limit(ROUTE)).isEqualTo(2);

        assertThat(claimer.handBack(leased.get(1))).as("3 unfinished, a window of 2").isTrue();
        assertThat(claimer.handBack(leased.get(2))).as("2 unfinished, a window of 2").isFalse();
        assertThat(claimer.handBack(leased.get(3))).isFalse();
        assertThat(claimer.handBack(leased.get(1))).as("handed back already: not tried, and its lease released once").isTrue();
        assertThat(db().query("SELECT id, locked_by, attempts FROM iu_route_delivery WHERE route_key = ? ORDER BY id", ROUTE))
                .extracting(row -> row.get("locked_by"), row -> row.get("attempts"))
                .containsExactly(tuple(NODE, 0), tuple(null, 0), tuple(NODE, 0), tuple(NODE, 0));

        // one more try ends: the route has room for one, and the claim takes the delivery handed back
        claimNow(claimer, leased.get(2));
        assertThat(claimer.lease(CAMEL).tasks()).extracting(DeliveryTask::deliveryId)
                .containsExactly(leased.get(1).deliveryId());
    }

    @Test
    void aDeliveryWhoseLeaseRanShortWhileItWaitedIsHandedBackUntriedAndTheClaimLeasesItAfresh() throws Exception {
        new RelayData(db()).openGates(true, ROUTE, ORDERED, SHORT, KAFKA);
        // a lease floor of 1 s: the SQL route's lease (no timeouts of its own); the webhook route's is
        // its connect + read timeouts (0.1 + 0.1 s) + 5 s; the Kafka route's, with the same columns, is
        // the producer's bound (2 s here) + 5 s
        DeliveryClaimer claimer = new DeliveryClaimer(db().runtime(), NODE, 100, 1L << 30, new RouteWindows(8, 8, 1000),
                1000, 2_000, () -> 8, UNCOUNTED);
        due(SQL_ROUTE, "sql", 1, false);
        due(SHORT, 1, false);
        due(KAFKA, 1, false);
        Map<String, DeliveryTask> leased = new HashMap<>();
        claimer.lease(CAMEL).tasks().forEach(task -> leased.put(task.routeKey(), task));
        DeliveryTask webhook = leased.get(SHORT);
        DeliveryTask sql = leased.get(SQL_ROUTE);
        DeliveryTask kafka = leased.get(KAFKA);
        assertThat(List.of(webhook.longestTryMs(), kafka.longestTryMs(), sql.longestTryMs())).containsExactly(200L, 2_000L, 0L);
        assertThat(webhook.leaseLeftMs()).isBetween(4_800L, 5_200L);
        assertThat(kafka.leaseLeftMs()).as("a Kafka send may wait for its broker beyond the route's timeouts")
                .isBetween(6_800L, 7_000L);
        assertThat(sql.leaseLeftMs()).isBetween(500L, 1_000L);
        assertThat(db().query("SELECT route_key, round(extract(epoch FROM locked_until - now())) AS lease_s FROM iu_route_delivery "
                + "WHERE route_key IN (?, ?) ORDER BY route_key", KAFKA, SHORT))
                .extracting(row -> row.get("route_key"), row -> ((Number) row.get("lease_s")).intValue())
                .as("the leases in the table").containsExactly(tuple(KAFKA, 7), tuple(SHORT, 5));
        assertThat(claimer.handBack(webhook)).as("its 0.2 s try and the record's second fit in its lease").isFalse();
        assertThat(claimer.handBack(kafka)).as("its 2 s send and the record's second fit in its lease").isFalse();

        // they waited in the queue: less than its try and the record's second is left of each lease
        // (both were leased with 5 s beside their try)
        Thread.sleep(webhook.leaseLeftMs() - webhook.longestTryMs() - DeliveryClaimer.RECORD_MS + 100);
        assertThat(claimer.handBack(webhook)).isTrue();
        assertThat(claimer.handBack(kafka)).isTrue();
        assertThat(claimer.handBack(sql)).as("an SQL action commits with its record, which a lease taken meanwhile "
                + "refuses: tried with its lease run out").isFalse();
        assertThat(db().query("SELECT route_key, locked_by, attempts FROM iu_route_delivery WHERE route_key IN (?, ?, ?) ORDER BY route_key",
                SHORT, SQL_ROUTE, KAFKA))
                .extracting(row -> row.get("route_key"), row -> row.get("locked_by"), row -> row.get("attempts"))
                .containsExactly(tuple(KAFKA, null, 0), tuple(SHORT, null, 0), tuple(SQL_ROUTE, NODE, 0));

        // due at once: the next claim leases it again, with its whole lease
        List<DeliveryTask> again = claimer.lease(CAMEL).tasks();
        assertThat(again).extracting(DeliveryTask::deliveryId).contains(webhook.deliveryId());
        DeliveryTask leasedAgain = again.stream().filter(task -> task.deliveryId() == webhook.deliveryId()).findFirst().orElseThrow();
        assertThat(leasedAgain.leaseLeftMs()).isGreaterThan(4_800L);
        assertThat(claimer.handBack(leasedAgain)).isFalse();
    }

    @Test
    void aDeliveryWhoseLeaseRanOutHereAndIsClaimedHereAgainTakesOneSlotAndItsStaleTaskLeavesTheNewLease() throws Exception {
        LeasedTwice leased = LeasedTwice.here();
        DeliveryClaimer claimer = leased.claimer();

        // one delivery in flight, not two: the route has room for the next
        due(SHORT, 1, false);
        assertThat(claimer.lease(CAMEL).tasks()).extracting(DeliveryTask::deliveryId)
                .hasSize(1).doesNotContain(leased.stale().deliveryId());

        // the stale task is not tried, and the lease its delivery holds now (the second claim's) stays
        assertThat(claimer.handBack(leased.stale())).isTrue();
        assertThat(lockedBy(leased.stale())).isEqualTo(NODE);
        assertThat(claimer.handBack(leased.newer())).as("the task of the new lease is tried").isFalse();
    }

    @Test
    void aStaleTaskThatReachesAWorkerAfterTheNewerLeaseOfItsDeliveryEndedIsNotTriedEither() throws Exception {
        LeasedTwice leased = LeasedTwice.here();
        DeliveryClaimer claimer = leased.claimer();

        // the newer task is tried and ends before the stale one reaches a worker
        assertThat(claimer.handBack(leased.newer())).isFalse();
        claimNow(claimer, leased.newer());
        assertThat(claimer.handBack(leased.stale())).as("tried, it would send the delivery a second time").isTrue();
        assertThat(lockedBy(leased.stale())).as("the newer lease is left to its own record").isEqualTo(NODE);
    }

    /** One delivery leased here, its lease run out while its task waited, and leased here again. */
    private record LeasedTwice(DeliveryClaimer claimer, DeliveryTask stale, DeliveryTask newer) {

        static LeasedTwice here() throws Exception {
            new RelayData(db()).openGates(false, SHORT);
            // a window of 2; the webhook route's lease is its 0.1 + 0.1 s timeouts + 5 s
            DeliveryClaimer claimer = new DeliveryClaimer(db().runtime(), NODE, 100, 1L << 30, new RouteWindows(2, 2, 1000),
                    1000, 2_000, () -> 8, UNCOUNTED);
            due(SHORT, 1, false);
            DeliveryTask stale = claimer.lease(CAMEL).tasks().get(0);
            Thread.sleep(stale.leaseLeftMs() + 100);
            List<DeliveryTask> again = claimer.lease(CAMEL).tasks();
            assertThat(again).as("its lease ran out while its task waited").extracting(DeliveryTask::deliveryId)
                    .containsExactly(stale.deliveryId());
            return new LeasedTwice(claimer, stale, again.get(0));
        }
    }

    private static Object lockedBy(DeliveryTask task) {
        return db().queryValue("SELECT locked_by FROM iu_route_delivery WHERE id = ?", task.deliveryId());
    }

    @Test
    void aHandOverThatFailsWhileItCountsLeavesTheCountFreeForTheNextClaim() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        DeliveryClaimer claimer = new DeliveryClaimer(db().runtime(), NODE, 100, 1L << 30, new RouteWindows(4, 4, 1000),
                60_000, 31_000, () -> {
                    if (asked.incrementAndGet() == 2) {
                        throw new IllegalStateException("workers unreadable");
                    }
                    return 8;
                }, UNCOUNTED);
        assertThatThrownBy(claimer::handOver).hasMessage("workers unreadable");

        due(ROUTE, 2, false);
        CompletableFuture<Integer> leased = CompletableFuture.supplyAsync(() -> {
            try {
                return claimer.lease(CAMEL).tasks().size();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(leased.get(10, TimeUnit.SECONDS)).as("a claim after it, not parked on its count").isEqualTo(2);
    }

    private static DeliveryClaimer claimer(int window, int batch, int workers) {
        return new DeliveryClaimer(db().runtime(), NODE, batch, 1L << 30, new RouteWindows(window, window, 1000), 60_000, 31_000,
                () -> workers, UNCOUNTED);
    }

    /** The runtime pool, running the action before the n-th statement prepared on it (a claim prepares one). */
    private static DataSource onStatement(int n, Runnable action) {
        DataSource pool = db().runtime();
        AtomicInteger prepared = new AtomicInteger();
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("isWrapperFor")) {
                        return false;
                    }
                    Object result = invoke(method, pool, args);
                    if (!method.getName().equals("getConnection")) {
                        return result;
                    }
                    Connection connection = (Connection) result;
                    return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                            (c, m, a) -> {
                                if (m.getName().equals("prepareStatement") && prepared.incrementAndGet() == n) {
                                    action.run();
                                }
                                return invoke(m, connection, a);
                            });
                });
    }

    private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** n due deliveries of the route, of one aggregate or each of its own. */
    private static void due(String route, int n, boolean oneAggregate) {
        due(route, "outbound", n, oneAggregate);
    }

    private static void due(String route, String kind, int n, boolean oneAggregate) {
        db().update("""
                WITH e AS (INSERT INTO event_outbox (event_type, aggregate_type, aggregate_id, payload, status, dispatched_at)
                           SELECT 'test.claimer', 'test', CASE WHEN ? THEN 'one' ELSE 'a-' || i END, '{}', 'dispatched', now()
                             FROM generate_series(1, ?) i
                           RETURNING id, event_id, aggregate_id)
                INSERT INTO iu_route_delivery (event_id, outbox_id, aggregate_id, route_kind, route_key)
                SELECT event_id, id, aggregate_id, ?, ? FROM e ORDER BY id""", oneAggregate, n, kind, route);
    }

    /** The task's try finished (delivered): whether the claimer is woken at once. */
    private static boolean claimNow(DeliveryClaimer claimer, DeliveryTask task) {
        DeliveryAttempt attempt = new DeliveryAttempt(task);
        attempt.ended(AttemptResult.delivered(200, 1));
        Message message = new DefaultMessage(CAMEL);
        claimer.release(attempt, message);
        return message.getHeader(DeliveryAttempt.CLAIM_NOW, Boolean.class);
    }
}
