package dev.iucore.pipeline.api;

import dev.iucore.pipeline.db.NamedSql;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** The deliveries of events and their attempts: search by event, aggregate, route, status and time. */
final class DeliveriesApi {

    private static final NamedSql SEARCH = NamedSql.load(DeliveriesApi.class, "deliveries.sql");
    private static final Set<String> STATUSES = Set.of("pending", "retrying", "delivered", "dead");

    private final JsonQuery query;

    DeliveriesApi(JsonQuery query) {
        this.query = query;
    }

    void register(Endpoints endpoints) {
        endpoints.get("/deliveries", request -> {
            Map<String, Object> parameters = new HashMap<>();
            parameters.put("id", null);
            parameters.put("event_id", request.queryUuid("event_id"));
            parameters.put("aggregate_id", request.query("aggregate_id"));
            parameters.put("route", request.query("route"));
            String status = request.query("status");
            if (status != null && !STATUSES.contains(status)) {
                throw ApiProblem.badRequest("status must be one of " + STATUSES + ", not `" + status + "`");
            }
            parameters.put("status", status);
            parameters.put("since", request.queryTime("since"));
            parameters.put("until", request.queryTime("until"));
            parameters.put("limit", request.queryInt("limit", 100));
            return Reply.ok("{\"deliveries\": " + query.read(SEARCH, parameters) + "}");
        });
        endpoints.get("/deliveries/:id", request -> {
            long id = request.pathLong("id");
            Map<String, Object> parameters = new HashMap<>();
            for (String name : new String[] {"event_id", "aggregate_id", "route", "status", "since", "until"}) {
                parameters.put(name, null);
            }
            parameters.put("id", id);
            parameters.put("limit", 1);
            var found = Json.MAPPER.readTree(query.read(SEARCH, parameters));
            if (found.isEmpty()) {
                throw ApiProblem.notFound("no delivery " + id);
            }
            return Reply.of(found.get(0));
        });
    }
}
