package dev.iucore.pipeline.api;

import dev.iucore.pipeline.db.NamedSql;
import dev.iucore.pipeline.gates.GateService;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;

/** Gates: each with its value and whether it reads open, their audit trail, open and close with a reason. */
final class GatesApi {

    private static final NamedSql AUDIT = NamedSql.load(GatesApi.class, "gate-audit.sql");
    private static final String GATE_NAME = "[a-z][a-z_]{0,63}";

    private final DataSource runtime;
    private final JsonQuery query;
    private final Commands commands;

    GatesApi(DataSource runtime, JsonQuery query, Commands commands) {
        this.runtime = runtime;
        this.query = query;
        this.commands = commands;
    }

    void register(Endpoints endpoints) {
        endpoints.get("/gates", request -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("gates", new GateService(runtime).list());
            body.put("audit", Json.MAPPER.readTree(audit(null, request.queryInt("audit_limit", 50))));
            return Reply.of(body);
        });
        endpoints.get("/gates/:gate/audit", request ->
                Reply.ok("{\"audit\": " + audit(gate(request), request.queryInt("limit", 100)) + "}"));
        endpoints.post("/gates/:gate/open", request -> commands.run(request, Argv.of("gates", "open")
                .option("--value", request.text("value"))
                .option("--actor", request.caller().name())
                .option("--reason", request.requiredText("reason"))
                .positional(gate(request))));
        endpoints.post("/gates/:gate/close", request -> commands.run(request, Argv.of("gates", "close")
                .option("--actor", request.caller().name())
                .option("--reason", request.requiredText("reason"))
                .positional(gate(request))));
    }

    private String audit(String gate, int limit) throws java.sql.SQLException {
        Map<String, Object> parameters = new HashMap<>();
        parameters.put("gate", gate);
        parameters.put("limit", limit);
        return query.read(AUDIT, parameters);
    }

    private static String gate(Request request) {
        String gate = request.path("gate");
        if (!gate.matches(GATE_NAME)) {
            throw ApiProblem.badRequest("`" + gate + "` is not a gate name; GET /api/v1/gates lists them");
        }
        return gate;
    }
}
