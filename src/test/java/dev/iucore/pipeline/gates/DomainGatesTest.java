package dev.iucore.pipeline.gates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.demo.DemoDataLoader;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.RunningPipeline;
import dev.iucore.pipeline.testing.TestDb;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The domain gates lifecycle_enabled and vector_sync_enabled, each guarding a real write reached
 * through its shipped SQL route (migration V061), through the real relay: closed, the action is
 * refused and dead-lettered as action_failed with nothing written; open, it writes.
 */
class DomainGatesTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String TRANSITION_REQUESTED = "iu.lifecycle.transition_requested";
    private static final String LIFECYCLE_ROUTE = "iu-lifecycle-transition";
    private static final String VECTOR_SYNCED = "iu.vector.synced";
    private static final String VECTOR_ROUTE = "iu-vector-sync-point";
    /** The demo's glossary unit (ids derive from keys), active after the demo load. */
    private static final String GLOSSARY = "iu:demo:doc:glossary";

    private static RunningPipeline pipeline;
    private static RelayData data;
    private static UUID glossary;

    @BeforeAll
    static void start() throws Exception {
        new DemoDataLoader(DB.db().runtime()).load();
        glossary = (UUID) DB.db().queryValue("SELECT id FROM information_unit WHERE iu_key = ?", GLOSSARY);
        data = new RelayData(DB.db());
        pipeline = RunningPipeline.start(DB.db(), "domain-gates-test");
    }

    @AfterAll
    static void stop() {
        pipeline.close();
    }

    @BeforeEach
    void relayOpenDomainGatesClosed() {
        data.closeGates().openGates(true);
        db().update("UPDATE information_unit SET lifecycle_state = 'active' WHERE id = ?", glossary);
    }

    private static TestDb db() {
        return DB.db();
    }

    private static void gate(String name, boolean open) {
        db().update("UPDATE iu_core_gate SET gate_value = ? WHERE gate_name = ?", Boolean.toString(open), name);
    }

    private static String lifecycleState() {
        return (String) db().queryValue("SELECT lifecycle_state FROM information_unit WHERE id = ?", glossary);
    }

    private static UUID transitionRequested(String toState) {
        return data.event(TRANSITION_REQUESTED, glossary.toString(),
                "{\"iu_id\": \"" + glossary + "\", \"to_state\": \"" + toState + "\", \"actor\": \"editor-eve\","
                        + " \"reason\": \"superseded\"}");
    }

    @Test
    void withLifecycleClosedATransitionRequestIsRefusedDeadLetteredAndMovesNothing() {
        long log = db().count("iu_lifecycle_log");
        long announced = transitionsAnnounced();
        UUID request = transitionRequested("archived");

        await().atMost(WAIT).until(() -> "dead".equals(data.deliveryStatus(request, LIFECYCLE_ROUTE)));

        assertThat(data.attempts(request, LIFECYCLE_ROUTE)).as("a closed gate is not retried").isEqualTo(1);
        Map<String, Object> letter = db().query("SELECT reason, last_error FROM iu_route_dead_letter WHERE event_id = ?",
                request).get(0);
        assertThat(letter.get("reason")).isEqualTo("action_failed");
        assertThat((String) letter.get("last_error")).contains("gate lifecycle_enabled is closed: information unit "
                + glossary + " not moved to archived");
        assertThat(lifecycleState()).isEqualTo("active");
        assertThat(db().count("iu_lifecycle_log")).isEqualTo(log);
        assertThat(transitionsAnnounced()).isEqualTo(announced);
    }

    private static long transitionsAnnounced() {
        return db().queryLong("SELECT count(*) FROM event_outbox WHERE event_type = 'iu.lifecycle.transitioned'");
    }

    @Test
    void withLifecycleOpenATransitionRequestMovesTheUnitLogsItAnnouncesItAndARedeliveryMovesNothing() throws Exception {
        gate("lifecycle_enabled", true);
        UUID request = transitionRequested("archived");

        await().atMost(WAIT).until(() -> "delivered".equals(data.deliveryStatus(request, LIFECYCLE_ROUTE)));

        assertThat(lifecycleState()).isEqualTo("archived");
        assertThat(db().query("SELECT from_state, to_state, actor, reason FROM iu_lifecycle_log WHERE source_event_id = ?",
                request)).containsExactly(Map.of("from_state", "active", "to_state", "archived", "actor", "editor-eve",
                "reason", "superseded"));
        assertThat(db().query("""
                SELECT payload ->> 'from_state' AS from_state, payload ->> 'to_state' AS to_state, actor FROM event_outbox
                 WHERE event_type = 'iu.lifecycle.transitioned' AND payload ->> 'source_event_id' = ?""", request.toString()))
                .containsExactly(Map.of("from_state", "active", "to_state", "archived", "actor", "editor-eve"));

        // at least once: the action may run again for the same event, even after the unit moved on
        db().update("UPDATE information_unit SET lifecycle_state = 'active' WHERE id = ?", glossary);
        runAction("fn_iu_action_lifecycle_transition", request, TRANSITION_REQUESTED);
        assertThat(lifecycleState()).isEqualTo("active");
        assertThat(db().queryLong("SELECT count(*) FROM iu_lifecycle_log WHERE source_event_id = ?", request)).isEqualTo(1);
    }

    @Test
    void theTransitionFunctionIsRefusedWhileTheGateIsClosedAndWritesWhenOpen() throws Exception {
        long log = db().count("iu_lifecycle_log");
        assertThatThrownBy(() -> transition("draft")).isInstanceOf(SQLException.class)
                .hasMessageContaining("gate lifecycle_enabled is closed");
        assertThat(lifecycleState()).isEqualTo("active");
        assertThat(db().count("iu_lifecycle_log")).isEqualTo(log);

        gate("lifecycle_enabled", true);
        assertThat(transition("draft")).isNotNull();
        assertThat(lifecycleState()).isEqualTo("draft");
        assertThat(transition("draft")).as("already there: nothing written").isNull();
        assertThat(db().count("iu_lifecycle_log")).isEqualTo(log + 1);
        assertThatThrownBy(() -> transition("deleted")).isInstanceOf(SQLException.class)
                .hasMessageContaining("lifecycle state must be draft, active or archived, not deleted");
    }

    @Test
    void withVectorSyncClosedTheShippedRouteDeadLettersTheEventAndRecordsNoSyncPoint() {
        // a collection of its own: test methods run in any order on one database
        UUID synced = data.event(VECTOR_SYNCED, glossary.toString(),
                "{\"iu_id\": \"" + glossary + "\", \"vector_collection\": \"closed-gate-chunks\", \"chunk_count\": 3}");

        await().atMost(WAIT).until(() -> "dead".equals(data.deliveryStatus(synced, VECTOR_ROUTE)));

        assertThat(data.attempts(synced, VECTOR_ROUTE)).as("a closed gate is not retried").isEqualTo(1);
        assertThat(db().query("SELECT reason, last_error FROM iu_route_dead_letter WHERE event_id = ?", synced))
                .singleElement().satisfies(letter -> {
                    assertThat(letter.get("reason")).isEqualTo("action_failed");
                    assertThat((String) letter.get("last_error")).contains("gate vector_sync_enabled is closed: event "
                            + synced + " not applied");
                });
        assertThat(db().queryLong("SELECT count(*) FROM iu_vector_sync_point WHERE vector_collection = 'closed-gate-chunks'"))
                .isZero();
    }

    @Test
    void withVectorSyncOpenTheShippedRouteRecordsTheSyncPoint() {
        gate("vector_sync_enabled", true);
        UUID synced = data.event(VECTOR_SYNCED, glossary.toString(),
                "{\"iu_id\": \"" + glossary + "\", \"vector_collection\": \"iu_core_iu_chunks\", \"chunk_count\": 149}");

        await().atMost(WAIT).until(() -> "delivered".equals(data.deliveryStatus(synced, VECTOR_ROUTE)));

        assertThat(db().query("""
                SELECT vector_collection, chunk_count, actor FROM iu_vector_sync_point
                 WHERE iu_id = ? AND vector_collection = 'iu_core_iu_chunks'""", glossary)).containsExactly(Map.of("vector_collection", "iu_core_iu_chunks", "chunk_count", 149,
                "actor", "relay:" + synced));
    }

    /** The lifecycle function as the runtime role calls it; its log row id, or null when nothing moved. */
    private static Long transition(String toState) throws SQLException {
        try (Connection c = db().runtime().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT fn_iu_core_lifecycle_transition(?, ?, 'editor-eve', 'test')")) {
            ps.setObject(1, glossary);
            ps.setString(2, toState);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return (Long) rs.getObject(1);
            }
        }
    }

    private static void runAction(String action, UUID event, String eventType) throws SQLException {
        try (Connection c = db().runtime().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + action + "(?, ?, ?::jsonb)")) {
            ps.setObject(1, event);
            ps.setString(2, eventType);
            ps.setString(3, (String) db().queryValue("SELECT payload::text FROM event_outbox WHERE event_id = ?", event));
            ps.execute();
        }
    }
}
