package dev.iucore.pipeline.deploy;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.testing.Cli;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.HttpSink;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.RunningPipeline;
import dev.iucore.pipeline.testing.TestDb;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The runbook's backfill section, run as written: a route left out of delivery_live_routes while
 * events were dispatched, listed again, then backfilled over the window the gate audit gives, twice;
 * each skipped event gets one delivery, which the receiver gets.
 */
class RunbookBackfillTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @RegisterExtension
    static final HttpSink SINK = new HttpSink();

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String ISO_UTC = "YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"";

    @Test
    void theBackfillStepsRunAsWrittenAndEachSkippedEventGetsOneDelivery() throws Exception {
        TestDb db = DB.db();
        SINK.stub(post(urlEqualTo("/crm")).willReturn(aResponse().withStatus(204)));
        RelayData data = new RelayData(db).route("crm-webhook", "iu.collection.created", SINK.url("/crm"));
        assertThat(Cli.run(db.settings(), "gates", "open", "delivery_enabled", "--actor", "alice", "--reason", "go live")
                .exitCode()).isZero();
        try (RunningPipeline pipeline = RunningPipeline.start(db, "runbook-backfill")) {
            List<UUID> skipped = List.of(data.event("iu.collection.created", "c-1", "{}"),
                    data.event("iu.collection.created", "c-2", "{}"));
            await().atMost(WAIT).until(() -> skipped.stream().allMatch(e -> "dispatched".equals(data.status(e))));
            assertThat(Cli.run(db.settings(), "gates", "open", "delivery_live_routes", "--value", "crm-webhook",
                    "--actor", "alice", "--reason", "forgotten at go-live").exitCode()).isZero();
            UUID listed = data.event("iu.collection.created", "c-3", "{}");
            await().atMost(WAIT).until(() -> "delivered".equals(data.deliveryStatus(listed, "crm-webhook")));

            // the window, as the runbook finds it: from go-live (delivery_enabled opened) to the list change
            Map<String, String> window = Map.of(
                    "<from>", (String) db.queryValue("SELECT to_char(changed_at AT TIME ZONE 'UTC', '" + ISO_UTC
                            + "') FROM iu_core_gate_audit WHERE gate_name = 'delivery_enabled' ORDER BY id DESC LIMIT 1"),
                    "<to>", (String) db.queryValue("SELECT to_char(changed_at AT TIME ZONE 'UTC', '" + ISO_UTC
                            + "') FROM iu_core_gate_audit WHERE gate_name = 'delivery_live_routes' ORDER BY id DESC LIMIT 1"));
            RunbookSteps.run(db.settings(), "## Backfill deliveries a route skipped", window);
            RunbookSteps.run(db.settings(), "## Backfill deliveries a route skipped", window);

            await().atMost(WAIT).until(() -> skipped.stream().allMatch(e -> "delivered".equals(data.deliveryStatus(e, "crm-webhook"))));
            // at least once: a try that outlives its timeout on a loaded machine is sent again, same webhook-id
            assertThat(SINK.received("/crm")).extracting(r -> r.getHeader("webhook-id")).containsOnly(
                    "msg_" + skipped.get(0) + "_crm-webhook", "msg_" + skipped.get(1) + "_crm-webhook",
                    "msg_" + listed + "_crm-webhook");
            for (UUID event : List.of(skipped.get(0), skipped.get(1), listed)) {
                assertThat(SINK.received("/crm").stream().filter(r -> r.getHeader("webhook-id").contains(event.toString())))
                        .as("no more requests than recorded tries").hasSizeLessThanOrEqualTo((int) data.attempts(event, "crm-webhook"));
            }
        }
        assertThat(db.queryLong("SELECT count(*) FROM iu_route_delivery WHERE route_key = 'crm-webhook'")).isEqualTo(3);
        assertThat(db.query("SELECT outcome, row_deltas::text AS deltas FROM iu_command_log"
                + " WHERE command_name = 'deliveries backfill' AND NOT dry_run ORDER BY id")).containsExactly(
                Map.of("outcome", "ok", "deltas", "{\"iu_route_delivery\": 2}"),
                Map.of("outcome", "ok", "deltas", "{\"iu_route_delivery\": 0}"));
    }
}
