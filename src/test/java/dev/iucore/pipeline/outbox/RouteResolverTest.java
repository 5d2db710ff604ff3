package dev.iucore.pipeline.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.iucore.pipeline.delivery.DeliveryClaimer;
import dev.iucore.pipeline.delivery.DeliveryHandOff;
import dev.iucore.pipeline.delivery.DeliveryTask;
import dev.iucore.pipeline.delivery.RouteWindows;
import dev.iucore.pipeline.metrics.PipelineMetrics;
import dev.iucore.pipeline.relay.RelayCommit;
import dev.iucore.pipeline.relay.RelayGates;
import dev.iucore.pipeline.relay.RelayTransaction;
import dev.iucore.pipeline.relay.RelayTransactionPolicy;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.StaleStatistics;
import dev.iucore.pipeline.testing.TestDb;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Processor;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The route table alone on the real database, with the dispatcher's lease: the deliveries this
 * process's workers can take are created leased and returned as tasks, within the route's free
 * slots; the rest, and every delivery of an ordered or rate-limited route or one whose circuit is
 * open, are created for the claim.
 */
class RouteResolverTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final String NODE = "resolver-test";
    private static final String TYPE = "test.resolver";
    private static final String CLAIMED_TYPE = "test.resolver.claimed";
    private static final String FAST = "resolver-fast";
    private static final String DISABLED = "resolver-disabled";
    private static final String ORDERED = "resolver-ordered";
    private static final String LIMITED = "resolver-limited";
    private static final String OPEN = "resolver-open-circuit";
    private static final RelayGates GATES = new RelayGates(true, List.of(FAST, DISABLED, ORDERED, LIMITED, OPEN), false);

    @BeforeAll
    static void routeTable() {
        new RelayData(DB.db()).registerType(TYPE, "live").registerType(CLAIMED_TYPE, "live")
                .route(FAST, TYPE, "http://127.0.0.1:9/fast")
                .route(DISABLED, TYPE, "http://127.0.0.1:9/disabled", Map.of("enabled", false))
                .route(ORDERED, CLAIMED_TYPE, "http://127.0.0.1:9/ordered", Map.of("ordered", true))
                .route(LIMITED, CLAIMED_TYPE, "http://127.0.0.1:9/limited", Map.of("rate_limit_per_second", 5))
                .route(OPEN, CLAIMED_TYPE, "http://127.0.0.1:9/open");
        DB.db().update("""
                INSERT INTO iu_route_circuit (route_key, state, consecutive_failures, opened_at, next_probe_at)
                VALUES (?, 'open', 5, now(), now() + interval '1 hour')""", OPEN);
    }

    @BeforeEach
    void noDeliveries() {
        db().update("DELETE FROM iu_route_delivery WHERE route_key LIKE 'resolver-%'");
    }

    private static TestDb db() {
        return DB.db();
    }

    @Test
    void theDeliveriesTheWorkersCanTakeAreCreatedLeasedTheRestLeftForTheClaim() throws Exception {
        List<Long> events = pending(TYPE, 5);

        RouteResolver.Created created = createCommitted(claimer(3), events);

        assertThat(created.leased()).as("the route's window: 3 of 5").hasSize(3)
                .allSatisfy(task -> assertThat(task).extracting(DeliveryTask::routeKey, DeliveryTask::targetUri,
                        DeliveryTask::attemptsSoFar, DeliveryTask::payload, DeliveryTask::routeExists)
                        .containsExactly(FAST, "http://127.0.0.1:9/fast", 0, "{\"n\": 1}", true));
        assertThat(created.leased()).as("each knows what is left of its lease, for a worker to tell whether a try fits")
                .allSatisfy(task -> assertThat(task.leaseEndsNanos() - System.nanoTime()).isBetween(
                        TimeUnit.SECONDS.toNanos(50), TimeUnit.SECONDS.toNanos(60)));
        assertThat(created.skips()).as("the disabled route's 5 skips beside the tasks")
                .containsExactly(new DispatchPlan.Skip(DISABLED, "route_disabled", 5));
        assertThat(db().queryLong("""
                SELECT count(*) FROM iu_route_delivery
                 WHERE route_key = ? AND locked_by = ? AND locked_until > now() + interval '50 seconds'""", FAST, NODE))
                .as("leased for at least the lease floor").isEqualTo(3);
        assertThat(db().queryLong("SELECT count(*) FROM iu_route_delivery WHERE route_key = ? AND locked_by IS NULL", FAST))
                .as("left for the claim").isEqualTo(2);
        assertThat(created.leftForClaim()).as("what the statement says it left").isEqualTo(2);
        assertThat(db().queryLong("SELECT count(*) FROM event_outbox WHERE id = ANY (?) AND status = 'dispatched'",
                (Object) events.toArray(Long[]::new))).isEqualTo(5);
    }

    @Test
    void noDeliveryOfAnOrderedOrRateLimitedRouteOrOneWhoseCircuitIsOpenIsLeasedByTheDispatcher() throws Exception {
        RouteResolver.Created created = createCommitted(claimer(10), pending(CLAIMED_TYPE, 2));

        assertThat(created.leased()).isEmpty();
        assertThat(db().queryLong("SELECT count(*) FROM iu_route_delivery WHERE route_key IN (?, ?, ?) AND locked_by IS NULL",
                ORDERED, LIMITED, OPEN)).as("all created, none leased").isEqualTo(6);
        assertThat(created.leftForClaim()).isEqualTo(6);
    }

    @Test
    void whatTheDispatchersBatchLeasedCountsAsInFlightUntilItsTransactionRollsBack() throws Exception {
        DeliveryClaimer claimer = claimer(3);
        List<Long> events = pending(TYPE, 2);

        assertThatThrownBy(() -> inBatch(events, false, batch -> {
            new RouteResolver(claimer).createDeliveries(batch);

            assertThat(batch.plan().leased()).hasSize(2);
            try (DeliveryClaimer.HandOver slots = claimer.handOver().orElseThrow()) {
                assertThat((String[]) slots.parameters().get("busy_routes")).containsExactly(FAST);
                assertThat((Integer[]) slots.parameters().get("busy_counts")).as("the two leased are in flight")
                        .containsExactly(2);
            }
            throw new IllegalStateException("a later step failed");
        })).hasMessage("a later step failed");

        try (DeliveryClaimer.HandOver slots = claimer.handOver().orElseThrow()) {
            assertThat((String[]) slots.parameters().get("busy_routes")).as("rolled back: nothing in flight").isEmpty();
        }
        assertThat(db().queryLong("SELECT count(*) FROM iu_route_delivery WHERE route_key = ?", FAST)).isZero();
    }

    @Test
    void aFullBatchIsABacklogAndLeavesItsDeliveriesToTheClaim() throws Exception {
        DeliveryClaimer claimer = claimer(3);
        List<Long> events = pending(TYPE, 2);

        inBatch(events, true, batch -> {
            new RouteResolver(claimer).createDeliveries(batch);

            assertThat(batch.plan().leased()).isEmpty();
        });

        assertThat(db().queryLong("SELECT count(*) FROM iu_route_delivery WHERE route_key = ? AND locked_by IS NULL", FAST))
                .isEqualTo(2);
        assertThat(claimer.claimWanted()).as("the claimer told to claim them").isTrue();
    }

    @Test
    void theClaimerHearsOfDeliveriesLeftForItOnceTheirBatchCommittedAndOnlyThen() throws Exception {
        DeliveryClaimer claimer = claimer(3);

        inBatch(pending(TYPE, 2), false, batch -> new RouteResolver(claimer).createDeliveries(batch));
        assertThat(claimer.claimWanted()).as("both leased: nothing for a claim").isFalse();
        claimer.releaseUnfinished();

        inBatch(pending(TYPE, 5), false, batch -> {
            new RouteResolver(claimer).createDeliveries(batch);
            assertThat(batch.plan().leased()).hasSize(3);
            assertThat(claimer.claimWanted()).as("not committed yet").isFalse();
        });
        assertThat(claimer.claimWanted()).as("committed, 2 left for a claim").isTrue();
        assertThat(claimer.claimWanted()).as("asked once per drain").isFalse();

        assertThatThrownBy(() -> inBatch(pending(TYPE, 5), true, batch -> {
            new RouteResolver(claimer).createDeliveries(batch);
            throw new IllegalStateException("a later step failed");
        })).hasMessage("a later step failed");
        assertThat(claimer.claimWanted()).as("rolled back: nothing was left").isFalse();
    }

    @Test
    void aBatchWithNothingToLeaseOrSkipStillSaysWhatItLeft() throws Exception {
        try (Connection c = RelayCommit.open(db().runtime())) {
            RouteResolver.Created created = new RouteResolver(DeliveryHandOff.NONE).createDeliveries(c,
                    pending(CLAIMED_TYPE, 1), GATES, DeliveryClaimer.HandOver.NONE);
            c.rollback();

            assertThat(created.leased()).isEmpty();
            assertThat(created.skips()).isEmpty();
            assertThat(created.leftForClaim()).as("one row, the count alone").isEqualTo(3);
        }
    }

    @Test
    void aBatchLeasesNothingWhileAnotherThreadCountsTheSlots() throws Exception {
        DeliveryClaimer claimer = claimer(3);
        try (DeliveryClaimer.HandOver held = claimer.handOver().orElseThrow()) {
            assertThat(CompletableFuture.supplyAsync(claimer::handOver).get())
                    .as("another thread meanwhile: the batch leaves its deliveries to the claim").isEmpty();
        }
        try (DeliveryClaimer.HandOver free = claimer.handOver().orElseThrow()) {
            assertThat(free.parameters()).containsEntry("limit", 100);
        }
    }

    @Test
    void theRouteTableReadsItsRowsByKeyWhenItsPlanWasMadeForEmptyTables() throws Exception {
        // statistics of empty tables (a new install, a purge) ...
        StaleStatistics.emptyAndAnalysed(db(), "iu_route_delivery", "event_outbox");
        DeliveryClaimer claimer = claimer(3);
        RouteResolver resolver = new RouteResolver(DeliveryHandOff.NONE);
        try (Connection c = RelayCommit.open(db().runtime())) {
            // ... and the statement's generic plan made and kept on this connection while they are (pgjdbc
            // prepares a statement on the server at its fifth run) ...
            for (int run = 0; run < 5; run++) {
                try (DeliveryClaimer.HandOver slots = claimer.handOver().orElseThrow()) {
                    assertThat(resolver.createDeliveries(c, pending(TYPE, 1), GATES, slots.parameters()).leased()).hasSize(1);
                }
                c.rollback();
            }
            // ... then 3,000 open deliveries and pending events they know nothing of
            db().update("""
                    WITH e AS (INSERT INTO event_outbox (event_type, aggregate_type, aggregate_id, payload, status, dispatched_at)
                               SELECT ?, 'test', 'a-' || i, '{}', 'dispatched', now() FROM generate_series(1, 3000) i
                               RETURNING id, event_id, aggregate_id)
                    INSERT INTO iu_route_delivery (event_id, outbox_id, aggregate_id, route_kind, route_key)
                    SELECT event_id, id, aggregate_id, 'outbound', ? FROM e""", TYPE, FAST);
            List<Long> events = pending(TYPE, 4);

            Map<String, Long> before = StaleStatistics.rowsRead(c, "iu_route_delivery", "event_outbox");
            try (DeliveryClaimer.HandOver slots = claimer.handOver().orElseThrow()) {
                assertThat(resolver.createDeliveries(c, events, GATES, slots.parameters()).leased()).hasSize(3);
            }
            StaleStatistics.assertFewRowsReadSince(c, before, 300);
            c.rollback();
        }
    }

    interface BatchStep {
        void run(DispatchBatch batch) throws Exception;
    }

    /** The step on a dispatch batch of the events (full: as large as its claim asked), in the relay's transaction policy. */
    private static void inBatch(List<Long> events, boolean full, BatchStep step) throws Exception {
        Processor batchSteps = new RelayTransactionPolicy(db().runtime()).wrap(null, exchange -> {
            DispatchBatch batch = DispatchBatch.claimed(RelayTransaction.of(exchange), GATES, List.of(), full ? 0 : 500);
            batch.plan().dispatched.addAll(events);
            step.run(batch);
        });
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            batchSteps.process(new DefaultExchange(camel));
        }
    }

    /** The route table for the events with the claimer's free slots, committed. */
    private static RouteResolver.Created createCommitted(DeliveryClaimer claimer, List<Long> events) throws Exception {
        try (Connection c = RelayCommit.open(db().runtime()); DeliveryClaimer.HandOver slots = claimer.handOver().orElseThrow()) {
            RouteResolver.Created created = new RouteResolver(DeliveryHandOff.NONE).createDeliveries(c, events, GATES,
                    slots.parameters());
            c.commit();
            return created;
        }
    }

    private static DeliveryClaimer claimer(int window) {
        return new DeliveryClaimer(db().runtime(), NODE, 100, 1L << 30, new RouteWindows(window, window, 1000), 60_000, 31_000,
                () -> 8, new PipelineMetrics(new SimpleMeterRegistry()));
    }

    /** n pending events of the type, their outbox ids. */
    private static List<Long> pending(String type, int n) {
        return db().query("""
                INSERT INTO event_outbox (event_type, aggregate_type, aggregate_id, payload)
                SELECT ?, 'test', 'a-' || i, '{"n": 1}' FROM generate_series(1, ?) i RETURNING id""", type, n)
                .stream().map(row -> ((Number) row.get("id")).longValue()).toList();
    }
}
