package dev.iucore.pipeline.api;

import dev.iucore.pipeline.db.NamedSql;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Retention and scaleout, dry runs and runs, gated exactly as {@code iu-core retention} and
 * {@code iu-core scaleout} are (they are those commands); the recorded batch runs and each one's
 * evidence report ({@code iu-core evidence}).
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
            return commands.run(request, Argv.of("retention").flag("--dry-run", dryRun).flag("--apply", !dryRun)
                    .option("--actor", request.caller().name()).flag("--evidence", request.flag("evidence")));
        });
        endpoints.post("/batches/scaleout", request -> {
            Integer n = request.integer("n");
            if (n == null) {
                throw ApiProblem.badRequest("n is required: how many instances");
            }
            if (request.texts("templates").isEmpty()) {
                throw ApiProblem.badRequest("templates is required, e.g. [\"tpl:wf:onboarding/v2\"]");
            }
            return commands.run(request, Argv.of("scaleout").option("--n", n)
                    .option("--templates", String.join(",", request.texts("templates")))
                    .option("--batch-id", request.text("batch_id"))
                    .option("--actor", request.caller().name())
                    .flag("--dry-run", request.flag("dry_run")).flag("--evidence", request.flag("evidence")));
        });
        endpoints.get("/batches/runs", request -> {
            Map<String, Object> parameters = new HashMap<>();
            parameters.put("kind", request.query("kind"));
            parameters.put("limit", request.queryInt("limit", 50));
            return Reply.ok("{\"runs\": " + query.read(RUNS, parameters) + "}");
        });
        endpoints.get("/batches/runs/:id/evidence", request -> {
            String id = request.path("id");
            try {
                UUID.fromString(id);
            } catch (IllegalArgumentException e) {
                throw ApiProblem.badRequest("run id must be a UUID, not `" + id + "`");
            }
            return commands.check(request, Argv.of("evidence").positional(id));
        });
    }
}
