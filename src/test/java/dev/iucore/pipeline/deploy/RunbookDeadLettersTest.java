package dev.iucore.pipeline.deploy;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.HttpSink;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.RunningPipeline;
import dev.iucore.pipeline.testing.TestDb;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The runbook's dead-letter sections, run as written: every {@code iu-core} line of their first
 * code block, in order, through the real CLI against dead letters the real relay wrote, with only
 * {@code <id>} filled in. Each line must succeed, and at the end {@code verify health} is green.
 */
class RunbookDeadLettersTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @RegisterExtension
    static final HttpSink SINK = new HttpSink();

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void theReplayAndResolveStepsRunAsWrittenAndLeaveHealthGreen() throws Exception {
        TestDb db = DB.db();
        SINK.stub(post(urlEqualTo("/crm")).willReturn(aResponse().withStatus(503)));
        SINK.stub(post(urlEqualTo("/legacy")).willReturn(aResponse().withStatus(410)));
        RelayData data = new RelayData(db)
                .route("crm-webhook", "iu.collection.created", SINK.url("/crm"), Map.of("max_attempts", 1))
                .route("legacy-crm", "iu.document.published", SINK.url("/legacy"))
                .openGates(false, "crm-webhook", "legacy-crm");
        try (RunningPipeline pipeline = RunningPipeline.start(db, "runbook-test")) {
            data.event("iu.collection.created", "c-1", "{\"n\": 1}");
            data.event("iu.collection.created", "c-2", "{\"n\": 2}");
            data.event("iu.document.published", "d-1", "{\"n\": 3}");
            data.event("iu.document.published", "d-2", "{\"n\": 4}");
            data.event("iu.colection.created", "c-3", "{\"typo\": true}");
            await().atMost(WAIT).until(() -> db.count("iu_route_dead_letter") == 5);
            SINK.stub(post(urlEqualTo("/crm")).atPriority(1).willReturn(aResponse().withStatus(200)));

            long crmLetter = db.queryLong("SELECT min(id) FROM iu_route_dead_letter WHERE route_key = 'crm-webhook'");
            RunbookSteps.run(db.settings(), "## Replay dead letters", Map.of("<id>", Long.toString(crmLetter)));
            await().atMost(WAIT).until(() -> db.queryLong("""
                    SELECT count(*) FROM iu_route_delivery WHERE route_key = 'crm-webhook' AND replay_of IS NOT NULL
                       AND status = 'delivered'""") == 2);

            long typo = db.queryLong("SELECT id FROM iu_route_dead_letter WHERE event_type = 'iu.colection.created'");
            RunbookSteps.run(db.settings(), "## Resolve dead letters that need no delivery", Map.of("<id>", Long.toString(typo)));
        }

        assertThat(db.query("SELECT route_key, resolved_by, resolution_reason FROM iu_route_dead_letter"
                + " WHERE resolved_at IS NOT NULL")).containsExactlyInAnyOrder(
                Map.of("route_key", "legacy-crm", "resolved_by", "alice", "resolution_reason", "legacy CRM retired, change 4720"),
                Map.of("route_key", "legacy-crm", "resolved_by", "alice", "resolution_reason", "legacy CRM retired, change 4720"),
                nullRoute("alice", "sent by hand, ticket 881"));
        assertThat(db.queryLong("SELECT count(*) FROM iu_route_dead_letter WHERE replayed_by = 'alice'")).isEqualTo(2);
        assertThat(db.queryValue("SELECT gate_value FROM iu_core_gate WHERE gate_name = 'dead_letter_replay_enabled'"))
                .isEqualTo("false");
    }

    private static Map<String, Object> nullRoute(String by, String reason) {
        Map<String, Object> row = new java.util.LinkedHashMap<>();
        row.put("route_key", null);
        row.put("resolved_by", by);
        row.put("resolution_reason", reason);
        return row;
    }
}
