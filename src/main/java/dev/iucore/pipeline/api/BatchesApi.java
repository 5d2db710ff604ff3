package dev.iucore.pipeline.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.iucore.pipeline.db.NamedSql;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Retention and scaleout, dry runs and runs, gated exactly as {@code iu-core retention} and
 * {@code iu-core scaleout} are (they are those commands); the recorded batch runs and each one's
 * evidence report ({@code iu-core evidence}). A dry run answers when it is done; a run always
 * records evidence and answers 202 with its run id as soon as its run row is written, and goes on
 * in the background, its phase and progress in that row ({@code get /batches/runs/{id}}).
 */
final class BatchesApi {

    private static final NamedSql RUNS = NamedSql.load(BatchesApi.class, "batch-runs.sql");

    private final JsonQuery query;
    private final Commands commands;

    BatchesApi(JsonQuery query, Commands commands) {
        this.query = query;
        this.commands = commands;
    }

    void register(Endpoints endpoints) {
        endpoints.post("/batches/retention", request -> {
            if (!request.body().path("dry_run").isBoolean()) {
                throw ApiProblem.badRequest("dry_run is required: true counts what would be deleted, false deletes"
                        + " (gate retention_enabled)");
            }
            boolean dryRun = request.flag("dry_run");
            return batch(request, dryRun, Argv.of("retention").flag("--dry-run", dryRun).flag("--apply", !dryRun)
                    .option("--actor", request.caller().name()));
        });
        endpoints.post("/batches/scaleout", request -> {
            Integer n = request.integer("n");
            if (n == null) {
                throw ApiProblem.badRequest("n is required: how many instances");
            }
            if (request.texts("templates").isEmpty()) {
                throw ApiProblem.badRequest("templates is required, e.g. [\"tpl:wf:onboarding/v2\"]");
            }
            boolean dryRun = request.flag("dry_run");
            return batch(request, dryRun, Argv.of("scaleout").option("--n", n)
                    .option("--templates", String.join(",", request.texts("templates")))
                    .option("--batch-id", request.text("batch_id"))
                    .option("--actor", request.caller().name())
                    .flag("--dry-run", dryRun));
        });
        endpoints.get("/batches/runs", request -> Reply.ok("{\"runs\": "
                + runs(request.query("kind"), null, request.queryInt("limit", 50)) + "}"));
        endpoints.get("/batches/runs/:id", request -> {
            UUID id = runId(request);
            JsonNode runs = Json.MAPPER.readTree(runs(null, id, 1));
            if (runs.isEmpty()) {
                throw ApiProblem.notFound("no batch run " + id);
            }
            return Reply.ok(runs.get(0).toString());
        });
        endpoints.get("/batches/runs/:id/evidence", request -> commands.check(request,
                Argv.of("evidence").positional(runId(request))));
    }

    /** A dry run answers when done; a run records evidence (with a backup before and after if asked) and starts. */
    private Reply batch(Request request, boolean dryRun, Argv argv) {
        if (dryRun) {
            return commands.run(request, argv.flag("--evidence", request.flag("evidence"))
                    .flag("--backup", request.flag("backup")));
        }
        return commands.start(request, argv.flag("--evidence", true).flag("--backup", request.flag("backup")));
    }

    private String runs(String kind, UUID runId, int limit) throws SQLException {
        Map<String, Object> parameters = new HashMap<>();
        parameters.put("kind", kind);
        parameters.put("run_id", runId);
        parameters.put("limit", limit);
        return query.read(RUNS, parameters);
    }

    private static UUID runId(Request request) {
        String id = request.path("id");
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("run id must be a UUID, not `" + id + "`");
        }
    }
}
