package dev.iucore.pipeline.api;

import dev.iucore.pipeline.db.NamedSql;
import java.util.Arrays;
import java.util.Map;

/** Regression-matrix snapshots (taken as {@code matrix snapshot}) and their diffs ({@code matrix diff}). */
final class MatrixApi {

    private static final NamedSql SNAPSHOTS = NamedSql.load(MatrixApi.class, "matrix-snapshots.sql");

    private final JsonQuery query;
    private final Commands commands;

    MatrixApi(JsonQuery query, Commands commands) {
        this.query = query;
        this.commands = commands;
    }

    void register(Endpoints endpoints) {
        endpoints.get("/matrix/snapshots", request -> Reply.ok("{\"snapshots\": "
                + query.read(SNAPSHOTS, Map.of("limit", request.queryInt("limit", 50))) + "}"));
        endpoints.post("/matrix/snapshots", request -> commands.run(request, Argv.of("matrix", "snapshot")
                .option("--label", request.requiredText("label")).option("--actor", request.caller().name())));
        endpoints.get("/matrix/diff", request -> {
            String before = request.query("before");
            String after = request.query("after");
            if (before == null || after == null) {
                throw ApiProblem.badRequest("give the labels of two snapshots: ?before=...&after=...");
            }
            String expect = request.query("expect");
            return commands.check(request, Argv.of("matrix", "diff").option("--expect", expect)
                    .positionals(Arrays.asList(before, after)));
        });
    }
}
