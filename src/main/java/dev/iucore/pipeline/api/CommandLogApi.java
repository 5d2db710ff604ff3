package dev.iucore.pipeline.api;

import dev.iucore.pipeline.db.NamedSql;
import java.util.HashMap;
import java.util.Map;

/** The command log ({@code iu-core log}): who ran what, with which outcome, the API's calls among them. */
final class CommandLogApi {

    private static final NamedSql NEWEST = NamedSql.load(CommandLogApi.class, "command-log.sql");

    private final JsonQuery query;

    CommandLogApi(JsonQuery query) {
        this.query = query;
    }

    void register(Endpoints endpoints) {
        endpoints.get("/command-log", request -> {
            Map<String, Object> parameters = new HashMap<>();
            parameters.put("command", request.query("command"));
            parameters.put("actor", request.query("actor"));
            parameters.put("limit", request.queryInt("limit", 50));
            return Reply.ok("{\"entries\": " + query.read(NEWEST, parameters) + "}");
        });
    }
}
