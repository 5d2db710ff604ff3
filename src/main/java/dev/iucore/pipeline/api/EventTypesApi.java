package dev.iucore.pipeline.api;

import dev.iucore.pipeline.db.NamedSql;
import java.util.Map;

/**
 * The event-type registry: lane, enabled, internal-only, and the boundary verdict of each type; and
 * its changes, {@code event-types register|set}, with the fields named as the listing names them.
 */
final class EventTypesApi {

    private static final NamedSql LIST = NamedSql.load(EventTypesApi.class, "event-types.sql");
    private static final String EVENT_TYPE = "[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+";

    private final JsonQuery query;
    private final Commands commands;

    EventTypesApi(JsonQuery query, Commands commands) {
        this.query = query;
        this.commands = commands;
    }

    void register(Endpoints endpoints) {
        endpoints.get("/event-types", request -> Reply.ok("{\"event_types\": " + query.read(LIST, Map.of()) + "}"));
        endpoints.post("/event-types", request -> commands.run(request, fields(request, Argv.of("event-types", "register"))
                .flag("--internal-only", request.flag("internal_only"))
                .positional(eventType(request.requiredText("event_type")))));
        endpoints.patch("/event-types/:event_type", request -> commands.run(request,
                fields(request, Argv.of("event-types", "set"))
                        .option("--internal-only", request.optionalFlag("internal_only"))
                        .positional(eventType(request.path("event_type")))));
    }

    private static Argv fields(Request request, Argv argv) {
        return argv.option("--lane", request.text("delivery_lane"))
                .option("--description", request.text("description"))
                .option("--actor", request.caller().name())
                .option("--reason", request.requiredText("reason"))
                .flag("--dry-run", request.flag("dry_run"));
    }

    private static String eventType(String type) {
        if (!type.matches(EVENT_TYPE)) {
            throw ApiProblem.badRequest("`" + type + "` is not an event type name (dotted lower-case words, e.g. iu.invoice.created)");
        }
        return type;
    }
}
