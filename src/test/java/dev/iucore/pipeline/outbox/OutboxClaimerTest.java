package dev.iucore.pipeline.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.relay.RelayCommit;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.TestDb;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The dispatcher's claim alone, two batches side by side on the real database, as two relays run
 * them: disjoint, and one at a time while a route is ordered ({@link OrderedDispatch}), so the
 * second takes the earliest events the first did not settle.
 */
class OutboxClaimerTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final String ROUTE = "claim-ordered";
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final OutboxClaimer claimer = new OutboxClaimer(2);
    private List<UUID> events;

    @BeforeAll
    static void routeTable() {
        new RelayData(DB.db()).registerType("test.claim", "live")
                .route(ROUTE, "test.claim", "log:claim-ordered", Map.of("ordered", true));
    }

    @BeforeEach
    void fourEventsOfOneAggregate() {
        db().update("DELETE FROM event_outbox");
        db().update("UPDATE iu_outbound_route SET ordered = true WHERE route_key = ?", ROUTE);
        RelayData data = new RelayData(db());
        events = List.of(data.event("test.claim", "one", "{}"), data.event("test.claim", "one", "{}"),
                data.event("test.claim", "one", "{}"), data.event("test.claim", "one", "{}"));
    }

    private static TestDb db() {
        return DB.db();
    }

    @ParameterizedTest(name = "the first batch {0}")
    @ValueSource(booleans = {true, false})
    void whileARouteIsOrderedASecondBatchClaimsOnlyOnceTheFirstEnded(boolean commits) throws Exception {
        try (Connection first = batch(); Connection second = batch()) {
            assertThat(ids(claimer.claim(first, true))).containsExactly(events.get(0), events.get(1));
            CompletableFuture<List<UUID>> next = CompletableFuture.supplyAsync(() -> claim(second));

            await().atMost(WAIT).until(() -> waitingForTheTurn() == 1);
            assertThat(next).as("the second batch, while the first is open").isNotDone();
            if (commits) {
                dispatched(first, events.subList(0, 2));
                first.commit();
            } else {
                first.rollback();
            }

            assertThat(next.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the earliest events still pending")
                    .containsExactlyElementsOf(commits ? events.subList(2, 4) : events.subList(0, 2));
            second.rollback();
        }
    }

    @Test
    void theDelayedLanesBatchTakesItsTurnToo() throws Exception {
        db().update("UPDATE event_outbox SET status = 'held' WHERE event_id = ?", events.get(3));
        try (Connection first = batch(); Connection second = batch()) {
            claimer.claim(first, true);
            CompletableFuture<List<OutboxEvent>> held = CompletableFuture.supplyAsync(() -> {
                try {
                    return new HeldEventClaimer(2).claim(second);
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });

            await().atMost(WAIT).until(() -> waitingForTheTurn() == 1);
            first.rollback();
            assertThat(ids(held.get(WAIT.toSeconds(), TimeUnit.SECONDS))).containsExactly(events.get(3));
            second.rollback();
        }
    }

    @Test
    void withoutAnOrderedRouteBatchesRunSideBySide() throws Exception {
        db().update("UPDATE iu_outbound_route SET ordered = false WHERE route_key = ?", ROUTE);
        try (Connection first = batch(); Connection second = batch()) {
            assertThat(ids(claimer.claim(first, true))).containsExactly(events.get(0), events.get(1));

            assertThat(CompletableFuture.supplyAsync(() -> claim(second)).get(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .as("while the first is open: the next two, not the first's").containsExactlyElementsOf(events.subList(2, 4));
            assertThat(waitingForTheTurn()).isZero();
            first.rollback();
            second.rollback();
        }
    }

    @Test
    void aRelayTransactionRunsTheClaimOnItsGenericPlanNeverPlanningItAgain() throws SQLException {
        db().update("UPDATE iu_outbound_route SET ordered = false WHERE route_key = ?", ROUTE);
        try (Connection batch = RelayCommit.open(db().runtime())) {
            for (int i = 0; i < 8; i++) {
                assertThat(claimer.claim(batch, i % 2 == 0)).hasSizeLessThanOrEqualTo(2);
            }
            try (Statement s = batch.createStatement(); ResultSet rs = s.executeQuery("""
                    SELECT generic_plans, custom_plans FROM pg_prepared_statements
                     WHERE statement LIKE '%WITH claimed AS MATERIALIZED%'""")) {
                assertThat(rs.next()).as("the claim, prepared on the server after pgjdbc's fifth run").isTrue();
                assertThat(rs.getLong("generic_plans")).isPositive();
                assertThat(rs.getLong("custom_plans")).as("plans made for one claim's values").isZero();
            }
            batch.rollback();
        }
    }

    private static Connection batch() throws SQLException {
        Connection c = db().runtime().getConnection();
        c.setAutoCommit(false);
        return c;
    }

    private List<UUID> claim(Connection batch) {
        try {
            return ids(claimer.claim(batch, true));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<UUID> ids(List<OutboxEvent> claimed) {
        return claimed.stream().map(OutboxEvent::eventId).toList();
    }

    /** What the batch's dispatch does to its events before it commits (create-deliveries.sql), without the deliveries. */
    private static void dispatched(Connection batch, List<UUID> ids) throws SQLException {
        try (PreparedStatement ps = batch.prepareStatement(
                "UPDATE event_outbox SET status = 'dispatched', dispatched_at = now() WHERE event_id = ANY (?)")) {
            ps.setArray(1, batch.createArrayOf("uuid", ids.toArray()));
            ps.executeUpdate();
        }
    }

    /** Sessions waiting for the dispatch turn's advisory lock. */
    private static long waitingForTheTurn() {
        return db().waitingForAdvisoryLock(OrderedDispatch.LOCK);
    }
}
