package dev.iucore.pipeline.api;

import dev.iucore.pipeline.db.NamedSql;
import java.util.Map;

/** The event-type registry: lane, enabled, internal-only, and the boundary verdict of each type. */
final class EventTypesApi {

    private static final NamedSql LIST = NamedSql.load(EventTypesApi.class, "event-types.sql");

    private final JsonQuery query;

    EventTypesApi(JsonQuery query) {
        this.query = query;
    }

    void register(Endpoints endpoints) {
        endpoints.get("/event-types", request -> Reply.ok("{\"event_types\": " + query.read(LIST, Map.of()) + "}"));
    }
}
