package dev.iucore.pipeline.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.iucore.pipeline.demo.DemoDataLoader;
import dev.iucore.pipeline.retention.RetentionData;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Batches, the regression matrix, the verify checks and the command log through the API: each runs
 * the CLI's command, so its gate, its rows and its command-log row are the CLI's. A run (not a dry
 * run) answers 202 with its batch run and goes on in the background; the tests follow its row.
 */
class BatchesApiTest {

    @RegisterExtension
    static final ApiFixture API = new ApiFixture();

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String TEMPLATES = "[\"tpl:file:status-report/v1\", \"tpl:wf:onboarding/v2\"]";

    @BeforeAll
    static void demoTemplates() throws Exception {
        new DemoDataLoader(API.db().runtime()).load();
    }

    @Test
    void retentionDryRunCountsAndAnApplyIsRefusedWhileItsGateIsClosed() {
        ApiFixture.Response dryRun = API.post("/api/v1/batches/retention", API.operator(), "{\"dry_run\": true}");
        assertThat(dryRun.status()).isEqualTo(200);
        assertThat(dryRun.body().path("dry_run").asBoolean()).isTrue();
        assertThat(API.lastLogged("retention")).containsEntry("actor", "alice").containsEntry("dry_run", true)
                .containsEntry("outcome", "ok");

        API.post("/api/v1/gates/retention_enabled/close", API.operator(), "{\"reason\": \"closed for the test\"}");
        // the gate is read by the retention run itself, after its evidence run has started: the run ends refused
        ApiFixture.Response apply = API.post("/api/v1/batches/retention", API.operator(), "{\"dry_run\": false}");
        assertThat(apply.status()).isEqualTo(202);
        JsonNode run = followed(apply);
        assertThat(run.path("outcome").asText()).isEqualTo("refused");
        assertThat(run.path("message").asText()).contains("retention_enabled");
        assertThat(run.path("phase").asText()).isEqualTo("done");
        await().atMost(WAIT).until(() -> "refused".equals(API.lastLogged("retention").get("outcome")));
        assertThat(API.lastLogged("retention")).containsEntry("dry_run", false).containsEntry("actor", "alice");
        assertThat(API.db().queryLong("""
                SELECT count(*) FROM iu_core_retention_run WHERE actor = 'alice' AND status = 'refused'""")).isPositive();

        ApiFixture.Response unsaid = API.post("/api/v1/batches/retention", API.operator(), "{}");
        assertThat(unsaid.status()).isEqualTo(400);
        assertThat(unsaid.body().path("detail").asText()).startsWith("dry_run is required");
    }

    @Test
    void scaleoutPlansAsADryRunIsRefusedWhileItsGateIsClosedAndRunsWithEvidence() {
        String batch = "{\"n\": 4, \"templates\": " + TEMPLATES + ", \"batch_id\": \"api-" + UUID.randomUUID() + "\"";
        ApiFixture.Response plan = API.post("/api/v1/batches/scaleout", API.operator(), batch + ", \"dry_run\": true}");
        assertThat(plan.status()).isEqualTo(200);
        assertThat(API.db().queryLong("SELECT count(*) FROM iu_piece_collection WHERE actor = 'alice'")).isZero();

        ApiFixture.Response refused = API.post("/api/v1/batches/scaleout", API.operator(), batch + "}");
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.body().path("detail").asText()).contains("scaleout_enabled");
        assertThat(API.lastLogged("scaleout")).containsEntry("outcome", "refused").containsEntry("actor", "alice");

        API.post("/api/v1/gates/scaleout_enabled/open", API.operator(), "{\"reason\": \"scaleout, change 4711\"}");
        try {
            ApiFixture.Response started = API.post("/api/v1/batches/scaleout", API.operator(), batch + "}");
            assertThat(started.status()).isEqualTo(202);
            String runId = started.body().path("run_id").asText();
            assertThat(started.headers().get("location")).containsExactly("/api/v1/batches/runs/" + runId);
            JsonNode run = followed(started);
            assertThat(run.path("outcome").asText()).isEqualTo("ok");
            assertThat(run.path("actor").asText()).isEqualTo("alice");
            assertThat(run.path("dry_run").asBoolean()).isFalse();
            assertThat(phases(run)).containsExactly("matrix_before", "apply", "matrix_after", "done");
            assertThat(run.path("unit").asText()).isEqualTo("instances");
            assertThat(run.path("units_done").asLong()).isEqualTo(4);
            assertThat(run.path("units_total").asLong()).isEqualTo(4);
            assertThat(API.db().queryLong("SELECT count(*) FROM iu_piece_collection WHERE actor = 'alice'")).isEqualTo(4);
            await().atMost(WAIT).until(() -> "ok".equals(API.lastLogged("scaleout").get("outcome")));
            assertThat(API.lastLogged("scaleout")).containsEntry("actor", "alice").containsEntry("dry_run", false);
            ApiFixture.Response runs = API.get("/api/v1/batches/runs?kind=scaleout", API.viewer());
            assertThat(runs.body().path("runs").get(0).path("run_id").asText()).isEqualTo(runId);
            ApiFixture.Response evidence = API.get("/api/v1/batches/runs/" + runId + "/evidence", API.viewer());
            assertThat(evidence.status()).isEqualTo(200);
            assertThat(evidence.body().path("report").isObject()).isTrue();
            assertThat(API.lastLogged("evidence")).containsEntry("actor", "victor");
        } finally {
            API.post("/api/v1/gates/scaleout_enabled/close", API.operator(), "{\"reason\": \"done\"}");
        }
    }

    @Test
    void aRetentionRunAnswers202AndItsRowCountsTheRowsDeletedThroughItsPhasesToOk() {
        RetentionData data = new RetentionData(API.db()).enable("iu_auto_instantiate_event_log").batchSize(1);
        for (int i = 0; i < 3; i++) {
            data.autoLog(RetentionData.OLD);
        }
        API.post("/api/v1/gates/retention_enabled/open", API.operator(), "{\"reason\": \"retention, change 4712\"}");
        try {
            ApiFixture.Response started = API.post("/api/v1/batches/retention", API.operator(), "{\"dry_run\": false}");
            assertThat(started.status()).isEqualTo(202);
            assertThat(started.body().path("outcome").asText()).isEqualTo("running");
            JsonNode run = followed(started);
            assertThat(run.path("outcome").asText()).as(run.toString()).isEqualTo("ok");
            assertThat(run.path("kind").asText()).isEqualTo("retention");
            assertThat(phases(run)).containsExactly("matrix_before", "apply", "matrix_after", "done");
            assertThat(run.path("unit").asText()).isEqualTo("rows");
            assertThat(run.path("step").asText()).isEqualTo("iu_auto_instantiate_event_log");
            assertThat(run.path("units_done").asLong()).isEqualTo(run.path("units_total").asLong())
                    .isGreaterThanOrEqualTo(3);
            assertThat(run.path("matrix_after").asText()).isEqualTo("retention-" + run.path("run_id").asText() + "-after");
            assertThat(API.db().queryLong("""
                    SELECT count(*) FROM iu_auto_instantiate_event_log WHERE created_at < now() - interval '100 days'"""))
                    .isZero();
            await().atMost(WAIT).until(() -> "ok".equals(API.lastLogged("retention").get("outcome"))
                    && Boolean.FALSE.equals(API.lastLogged("retention").get("dry_run")));
            assertThat((String) API.lastLogged("retention").get("row_deltas")).contains("\"iu_core_batch_run\": 1");
            assertThat(API.get("/api/v1/batches/runs/" + UUID.randomUUID(), API.viewer()).status()).isEqualTo(404);
        } finally {
            API.post("/api/v1/gates/retention_enabled/close", API.operator(), "{\"reason\": \"done\"}");
        }
    }

    /** The run a 202 names, followed through its Location until it has ended. */
    private static JsonNode followed(ApiFixture.Response started) {
        String location = started.headers().get("location").get(0);
        await().atMost(WAIT).until(() -> !"running".equals(API.get(location, API.viewer()).body().path("outcome").asText()));
        return API.get(location, API.viewer()).body();
    }

    private static List<String> phases(JsonNode run) {
        return run.path("phases").findValuesAsText("phase");
    }

    @Test
    void matrixSnapshotsAndTheirDiff() {
        assertThat(API.post("/api/v1/matrix/snapshots", API.operator(), "{\"label\": \"api-before\"}").status())
                .isEqualTo(200);
        assertThat(API.lastLogged("matrix snapshot")).containsEntry("actor", "alice").containsEntry("outcome", "ok");
        API.post("/api/v1/matrix/snapshots", API.operator(), "{\"label\": \"api-after\"}");
        assertThat(API.get("/api/v1/matrix/snapshots", API.viewer()).body().path("snapshots").findValuesAsText("label"))
                .contains("api-before", "api-after");
        ApiFixture.Response diff = API.get("/api/v1/matrix/diff?before=api-before&after=api-after", API.viewer());
        assertThat(diff.status()).isEqualTo(200);
        assertThat(diff.body().has("passed")).isTrue();
        assertThat(diff.body().path("report").isObject()).isTrue();
        assertThat(API.lastLogged("matrix diff")).containsEntry("actor", "victor");
        ApiFixture.Response taken = API.post("/api/v1/matrix/snapshots", API.operator(), "{\"label\": \"api-before\"}");
        assertThat(taken.status()).isIn(409, 422);
        assertThat(taken.body().path("detail").asText()).contains("api-before");
    }

    @Test
    void verifyChecksAnswerWhetherTheyHoldWithTheirReport() {
        ApiFixture.Response health = API.post("/api/v1/verify/health", API.viewer(), "");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body().path("report").isObject()).isTrue();
        assertThat(API.lastLogged("verify health")).containsEntry("actor", "victor");

        ApiFixture.Response conformance = API.post("/api/v1/verify/conformance", API.viewer(), "");
        assertThat(conformance.body().path("passed").asBoolean()).isTrue();

        ApiFixture.Response boundary = API.post("/api/v1/verify/boundary", API.viewer(),
                "{\"event_type\": \"iu.template.instance_auto_composed\"}");
        assertThat(boundary.status()).isEqualTo(200);
        assertThat(boundary.body().path("passed").asBoolean()).isTrue();
        assertThat(API.lastLogged("verify boundary")).containsEntry("outcome", "ok");
        assertThat(API.post("/api/v1/verify/boundary", API.viewer(), "{\"event_type\": \"--all\"}").status())
                .isEqualTo(400);
    }

    @Test
    void theCommandLogListsTheApisCallsWithTheirActor() {
        API.post("/api/v1/gates/composer_enabled/close", API.operator(), "{\"reason\": \"log test\"}");
        ApiFixture.Response log = API.get("/api/v1/command-log?command=gates%20close&actor=alice", API.viewer());
        assertThat(log.status()).isEqualTo(200);
        assertThat(log.body().path("entries").get(0).path("command").asText()).isEqualTo("gates close");
        assertThat(log.body().path("entries").get(0).path("actor").asText()).isEqualTo("alice");
        assertThat(log.body().path("entries").get(0).path("db_user").asText()).isNotBlank();
    }
}
