package dev.iucore.pipeline.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.iucore.pipeline.demo.DemoDataLoader;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Batches, the regression matrix, the verify checks and the command log through the API: each runs
 * the CLI's command, so its gate, its rows and its command-log row are the CLI's.
 */
class BatchesApiTest {

    @RegisterExtension
    static final ApiFixture API = new ApiFixture();

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
        ApiFixture.Response apply = API.post("/api/v1/batches/retention", API.operator(), "{\"dry_run\": false}");
        assertThat(apply.status()).isEqualTo(409);
        assertThat(apply.body().path("detail").asText()).contains("retention_enabled");
        assertThat(apply.body().path("outcome").asText()).isEqualTo("refused");
        assertThat(API.lastLogged("retention")).containsEntry("outcome", "refused").containsEntry("dry_run", false);
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
            ApiFixture.Response run = API.post("/api/v1/batches/scaleout", API.operator(), batch + ", \"evidence\": true}");
            assertThat(run.status()).isEqualTo(200);
            assertThat(API.db().queryLong("SELECT count(*) FROM iu_piece_collection WHERE actor = 'alice'")).isEqualTo(4);
            assertThat(API.lastLogged("scaleout")).containsEntry("outcome", "ok");
            ApiFixture.Response runs = API.get("/api/v1/batches/runs?kind=scaleout", API.viewer());
            String runId = runs.body().path("runs").get(0).path("run_id").asText();
            assertThat(runs.body().path("runs").get(0).path("actor").asText()).isEqualTo("alice");
            ApiFixture.Response evidence = API.get("/api/v1/batches/runs/" + runId + "/evidence", API.viewer());
            assertThat(evidence.status()).isEqualTo(200);
            assertThat(evidence.body().path("report").isObject()).isTrue();
            assertThat(API.lastLogged("evidence")).containsEntry("actor", "victor");
        } finally {
            API.post("/api/v1/gates/scaleout_enabled/close", API.operator(), "{\"reason\": \"done\"}");
        }
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
