package dev.iucore.pipeline.scaleout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.demo.DemoDataLoader;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.RunningPipeline;
import dev.iucore.pipeline.testing.TestDb;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Auto-instantiate through the real relay: an {@code iu.template.instantiate_requested} event, its
 * shipped SQL route {@code iu-auto-instantiate}, the vetted action composing one instance.
 */
class AutoInstantiateTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String REQUESTED = "iu.template.instantiate_requested";
    private static final String ROUTE = "iu-auto-instantiate";

    private static RunningPipeline pipeline;
    private static RelayData data;

    @BeforeAll
    static void start() throws Exception {
        new DemoDataLoader(DB.db().runtime()).load();
        data = new RelayData(DB.db());
        pipeline = RunningPipeline.start(DB.db(), "auto-test");
    }

    @AfterAll
    static void stop() {
        pipeline.close();
    }

    @BeforeEach
    void relayOpenCompositionClosed() {
        data.closeGates().openGates(true);
    }

    private static TestDb db() {
        return DB.db();
    }

    private static void compositionGates(boolean composer, boolean autoInstantiate) {
        db().update("""
                UPDATE iu_core_gate SET gate_value = CASE gate_name WHEN 'composer_enabled' THEN ? ELSE ? END
                 WHERE gate_name IN ('composer_enabled', 'auto_instantiate_enabled')""",
                Boolean.toString(composer), Boolean.toString(autoInstantiate));
    }

    @Test
    void aRequestedInstanceIsComposedByTheSqlRouteAndARedeliveryComposesNothing() throws Exception {
        compositionGates(true, true);
        UUID request = data.event(REQUESTED, "tpl:wf:onboarding",
                "{\"template_id\": \"tpl:wf:onboarding\", \"version\": 2, \"actor\": \"crm-sync\", \"suffix\": \"hire-4711\"}");

        await().atMost(WAIT).until(() -> "delivered".equals(data.deliveryStatus(request, ROUTE)));

        assertThat(db().query("""
                SELECT l.template_id, l.template_version, l.actor, l.digest_matches_template, c.actor AS collection_actor,
                       (SELECT count(*) FROM iu_piece_membership m WHERE m.collection_id = l.collection_id) AS pieces,
                       l.idempotency_key = md5(? || ':tpl:wf:onboarding:hire-4711') AS keyed
                  FROM iu_collection_template_instance_lineage l JOIN iu_piece_collection c ON c.id = l.collection_id
                 WHERE l.event_id = ?""", request.toString(), request)).containsExactly(Map.of(
                "template_id", "tpl:wf:onboarding", "template_version", 2, "actor", "crm-sync",
                "digest_matches_template", true, "collection_actor", "crm-sync", "pieces", 6L, "keyed", true));
        assertThat(db().query("""
                SELECT outcome, actor FROM iu_auto_instantiate_event_log WHERE source_event_id = ?""", request))
                .containsExactly(Map.of("outcome", "composed", "actor", "crm-sync"));
        // its own event is internal only: held for the delayed lane, never delivered
        await().atMost(WAIT).until(() -> "held".equals(db().queryValue("""
                SELECT status FROM event_outbox WHERE event_type = 'iu.template.instance_auto_composed'
                   AND payload ->> 'source_event_id' = ?""", request.toString())));

        // at least once: the action may run again for the same event; it finds its instance
        try (Connection c = db().runtime().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT fn_iu_action_auto_instantiate(?, ?, ?::jsonb)")) {
            ps.setObject(1, request);
            ps.setString(2, REQUESTED);
            ps.setString(3, (String) db().queryValue("SELECT payload::text FROM event_outbox WHERE event_id = ?", request));
            ps.execute();
        }
        assertThat(db().queryLong("SELECT count(*) FROM iu_collection_template_instance_lineage WHERE event_id = ?", request))
                .isEqualTo(1);
        assertThat(db().queryLong("SELECT count(*) FROM iu_auto_instantiate_event_log WHERE source_event_id = ?", request))
                .isEqualTo(1);
    }

    @Test
    void withAClosedCompositionGateTheActionRefusesAndTheRelayDeadLettersItAsActionFailed() {
        compositionGates(true, false);
        long lineage = db().count("iu_collection_template_instance_lineage");
        UUID request = data.event(REQUESTED, "tpl:file:status-report",
                "{\"template_id\": \"tpl:file:status-report\", \"version\": 1, \"actor\": \"crm-sync\"}");

        await().atMost(WAIT).until(() -> "dead".equals(data.deliveryStatus(request, ROUTE)));

        assertThat(data.attempts(request, ROUTE)).as("a closed gate is not retried").isEqualTo(1);
        Map<String, Object> letter = db().query("SELECT reason, last_error FROM iu_route_dead_letter WHERE event_id = ?", request).get(0);
        assertThat(letter.get("reason")).isEqualTo("action_failed");
        assertThat((String) letter.get("last_error")).contains("gate auto_instantiate_enabled is closed");
        assertThat(db().count("iu_collection_template_instance_lineage")).as("nothing composed").isEqualTo(lineage);
    }

    @Test
    void aRequestWithoutAVersionIsDeadLetteredSayingWhatIsMissing() {
        compositionGates(true, true);
        UUID request = data.event(REQUESTED, "tpl:wf:onboarding", "{\"template_id\": \"tpl:wf:onboarding\", \"actor\": \"crm-sync\"}");

        await().atMost(WAIT).until(() -> "dead".equals(data.deliveryStatus(request, ROUTE)));

        assertThat((String) db().queryValue("SELECT last_error FROM iu_route_dead_letter WHERE event_id = ?", request))
                .contains("needs payload template_id and a whole-number version, got template_id tpl:wf:onboarding, version none");
    }
}
