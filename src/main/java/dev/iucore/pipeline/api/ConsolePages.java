package dev.iucore.pipeline.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The console's pages and forms. Each reads through an API operation ({@code get /routes}, …) and
 * changes through one ({@code post /gates/{gate}/open}, …), called in process for the signed-in
 * user: what a page may show or do is what the API lets that user see or do.
 */
final class ConsolePages {

    @FunctionalInterface
    private interface Page {
        void handle(RoutingContext context, Caller caller) throws Exception;
    }

    private static final String DELIVERY_ENABLED = "delivery_enabled";
    private static final List<String> TARGET_KINDS = List.of("webhook", "kafka", "log");
    private static final List<String> LANES = List.of("live", "delayed");
    /** The route form's numbers, as the API names them: whole numbers but for the factor and the rate. */
    private static final List<String> ROUTE_NUMBERS = List.of("max_attempts", "connect_timeout_ms", "read_timeout_ms",
            "backoff_initial_ms", "backoff_factor", "backoff_max_ms", "circuit_failure_threshold", "circuit_open_ms",
            "rate_limit_per_second");

    private final Console console;

    ConsolePages(Console console) {
        this.console = console;
    }

    void register(Router router) {
        get(router, "/", this::overview);
        get(router, "/routes", this::routes);
        get(router, "/routes/new", (c, caller) -> routeForm(c, caller, null, Map.of("enabled", true), null));
        post(router, "/routes", this::saveRoute);
        get(router, "/routes/:key", this::route);
        get(router, "/routes/:key/edit", this::editRoute);
        post(router, "/routes/:key", this::saveRoute);
        post(router, "/routes/:key/enable", (c, caller) -> switchRoute(c, caller, "enable"));
        post(router, "/routes/:key/disable", (c, caller) -> switchRoute(c, caller, "disable"));
        get(router, "/event-types", this::eventTypes);
        get(router, "/event-types/new", (c, caller) -> eventTypeForm(c, caller, null,
                Map.of("delivery_lane", "live", "internal_only", false), null));
        post(router, "/event-types", this::saveEventType);
        get(router, "/event-types/:type/edit", this::editEventType);
        post(router, "/event-types/:type", this::saveEventType);
        get(router, "/dead-letters", this::deadLetters);
        get(router, "/dead-letters/:id", this::deadLetter);
        post(router, "/dead-letters/bulk", this::bulk);
        post(router, "/dead-letters/:id/replay", (c, caller) -> act(c, caller, "post /dead-letters/{id}/replay",
                Map.of("id", c.pathParam("id")), body(), "/dead-letters/" + c.pathParam("id"),
                out -> "Dead letter " + c.pathParam("id") + ": replayed " + out.path("replayed").asInt()
                        + " (a new delivery is on its way)."));
        post(router, "/dead-letters/:id/resolve", (c, caller) -> act(c, caller, "post /dead-letters/{id}/resolve",
                Map.of("id", c.pathParam("id")), body().put("reason", Console.form(c, "reason")),
                "/dead-letters/" + c.pathParam("id"), out -> "Dead letter " + c.pathParam("id") + " resolved."));
        get(router, "/gates", this::gates);
        post(router, "/gates/:gate/open", (c, caller) -> gate(c, caller, "open"));
        post(router, "/gates/:gate/close", (c, caller) -> gate(c, caller, "close"));
        get(router, "/batches", (c, caller) -> batches(c, caller, null, null));
        post(router, "/batches/retention", this::retention);
        post(router, "/batches/scaleout", this::scaleout);
        get(router, "/batches/runs/:id", this::batchRun);
    }

    private void get(Router router, String path, Page page) {
        router.get(path).blockingHandler(c -> run(c, page), false);
    }

    private void post(Router router, String path, Page page) {
        router.post(path).blockingHandler(c -> run(c, page), false);
    }

    private void run(RoutingContext context, Page page) {
        Caller caller = Console.caller(context);
        try {
            page.handle(context, caller);
        } catch (ApiProblem problem) {
            Map<String, Object> model = Console.model(context, caller);
            model.put("status", problem.status());
            model.put("message", problem.getMessage());
            context.response().setStatusCode(problem.status());
            console.views().send(context, "error", model);
        } catch (Exception e) {
            context.fail(e);
        }
    }

    // ---- overview

    private void overview(RoutingContext c, Caller caller) throws Exception {
        JsonNode overview = read(caller, "get /overview", Map.of(), Map.of());
        JsonNode routes = read(caller, "get /routes", Map.of(), Map.of()).path("routes");
        JsonNode gates = read(caller, "get /gates", Map.of(), Map.of("audit_limit", "1")).path("gates");
        Map<String, Object> model = model(c, caller, "overview");
        JsonNode queues = overview.path("queues");
        model.put("queues", plain(queues));
        model.put("oldestPending", age(queues.path("oldest_pending_age_seconds").asDouble()));
        JsonNode perMinute = overview.path("per_minute");
        Map<String, Long> totals = new LinkedHashMap<>();
        for (String series : List.of("delivered", "retried", "dead_lettered")) {
            long sum = 0;
            for (JsonNode minute : perMinute) {
                sum += minute.path(series).asLong();
            }
            totals.put(series, sum);
        }
        model.put("totals", totals);
        model.put("throughputChart", chart(perMinute, "minute", List.of("delivered", "retried", "dead_lettered"),
                List.of("delivered", "retried", "dead-lettered"), "per minute", false));
        model.put("gates", plain(gates));
        List<Object> attention = new ArrayList<>();
        for (JsonNode route : routes) {
            if (!"delivering".equals(route.path("state").asText()) || !"closed".equals(route.path("circuit_state").asText(
                    "closed")) || route.path("dead_letters_open").asLong() > 0 || route.path("deliveries_retrying").asLong() > 0) {
                attention.add(plain(route));
            }
        }
        model.put("attention", attention);
        model.put("routeCount", routes.size());
        console.views().send(c, "overview", model);
    }

    // ---- routes

    private void routes(RoutingContext c, Caller caller) throws Exception {
        Map<String, String> query = new HashMap<>();
        putIfSet(query, "event_type", c.request().getParam("event_type"));
        Map<String, Object> model = model(c, caller, "routes");
        model.put("eventType", query.get("event_type"));
        model.put("routes", plain(read(caller, "get /routes", Map.of(), query).path("routes")));
        console.views().send(c, "routes", model);
    }

    private void route(RoutingContext c, Caller caller) throws Exception {
        String key = c.pathParam("key");
        JsonNode route = findRoute(caller, key);
        JsonNode deliveries = read(caller, "get /deliveries", Map.of(), Map.of("route", key, "limit", "50"))
                .path("deliveries");
        List<JsonNode> attempts = new ArrayList<>();
        for (JsonNode delivery : deliveries) {
            for (JsonNode attempt : delivery.path("attempt_log")) {
                ObjectNode row = ((ObjectNode) attempt).put("event_id", delivery.path("event_id").asText())
                        .put("delivery_id", delivery.path("id").asLong());
                attempts.add(row);
            }
        }
        attempts.sort((a, b) -> b.path("attempted_at").asText().compareTo(a.path("attempted_at").asText()));
        Map<String, Object> model = model(c, caller, "routes");
        model.put("route", plain(route));
        model.put("attempts", plain(Json.MAPPER.valueToTree(attempts)));
        List<JsonNode> oldestFirst = new ArrayList<>(attempts);
        Collections.reverse(oldestFirst);
        model.put("latencyChart", chart(Json.MAPPER.valueToTree(oldestFirst), "attempted_at", List.of("latency_ms"),
                List.of("latency (ms)"), "ms", true));
        console.views().send(c, "route", model);
    }

    /**
     * The form for a route as it is. The target is shown masked (a credential in its query stays
     * hidden), so it is not filled in: left empty, the route keeps its target.
     */
    private void editRoute(RoutingContext c, Caller caller) throws Exception {
        JsonNode route = findRoute(caller, c.pathParam("key"));
        Map<String, Object> values = new HashMap<>();
        values.put("route_key", route.path("route_key").asText());
        values.put("event_type", route.path("event_type").asText());
        values.put("current_target", route.path("target").asText());
        values.put("enabled", route.path("enabled").asBoolean());
        values.put("ordered", route.path("ordered").asBoolean());
        // what the route table shows of the numbers; the others are left empty, which keeps them
        for (String field : List.of("max_attempts", "circuit_failure_threshold", "rate_limit_per_second")) {
            values.put(field, route.path(field).isNull() ? null : route.path(field).asText(null));
        }
        routeForm(c, caller, route.path("route_key").asText(), values, null);
    }

    private void routeForm(RoutingContext c, Caller caller, String key, Map<String, Object> values, String error) {
        Map<String, Object> model = operatorModel(c, caller, "routes");
        model.put("key", key);
        model.put("values", values);
        model.put("kinds", TARGET_KINDS);
        model.put("error", error);
        console.views().send(c, "route-form", model);
    }

    /** Add (no key) or change a route through the API's route operations; a refusal shows on the form. */
    private void saveRoute(RoutingContext c, Caller caller) throws Exception {
        String key = c.pathParam("key");
        ObjectNode body = body();
        Map<String, Object> values = new HashMap<>();
        for (String field : List.of("route_key", "event_type", "target_kind", "target", "secret_ref", "reason")) {
            values.put(field, Console.form(c, field));
        }
        values.put("current_target", Console.form(c, "current_target"));
        for (String field : List.of("event_type", "target", "secret_ref", "reason")) {
            if (values.get(field) != null) {
                body.put(field, (String) values.get(field));
            }
        }
        if (key == null) {
            body.put("route_key", (String) values.get("route_key"));
        }
        // the kind says how to read the target: with no new target there is nothing to read
        if (values.get("target") != null && values.get("target_kind") != null) {
            body.put("target_kind", (String) values.get("target_kind"));
        }
        for (String field : ROUTE_NUMBERS) {
            String number = Console.form(c, field);
            values.put(field, number);
            if (number != null) {
                try {
                    BigDecimal value = new BigDecimal(number);
                    if (field.equals("backoff_factor") || field.equals("rate_limit_per_second")) {
                        body.put(field, value);
                    } else {
                        body.put(field, value.intValueExact());
                    }
                } catch (NumberFormatException | ArithmeticException e) {
                    routeForm(c, caller, key, values, field + " must be a number, not `" + number + "`");
                    return;
                }
            }
        }
        for (String flag : List.of("enabled", "ordered")) {
            boolean on = "on".equals(c.request().getFormAttribute(flag));
            values.put(flag, on);
            body.put(flag, on);
        }
        String routeKey = key != null ? key : Console.form(c, "route_key");
        Attempt saved = key == null ? attempt(caller, "post /routes", Map.of(), body)
                : attempt(caller, "patch /routes/{route_key}", Map.of("route_key", key), body);
        saved(c, saved, error -> routeForm(c, caller, key, values, error),
                "Route " + routeKey + (key == null ? " added." : " saved."), "/routes/" + routeKey);
    }

    /** A form's change: refused, the form again with the refusal above it; else a message on the next page. */
    private static void saved(RoutingContext c, Attempt saved, Consumer<String> formAgain, String message, String next) {
        if (saved.refusal() != null) {
            c.response().setStatusCode(saved.refusal().status());
            formAgain.accept(saved.refusal().getMessage());
            return;
        }
        Console.flash(c, message, false);
        Console.redirect(c, next);
    }

    private void switchRoute(RoutingContext c, Caller caller, String action) throws Exception {
        String key = c.pathParam("key");
        act(c, caller, "post /routes/{route_key}/" + action, Map.of("route_key", key),
                body().put("reason", Console.form(c, "reason")), "/routes/" + key,
                out -> "Route " + key + " " + action + "d.");
    }

    private JsonNode findRoute(Caller caller, String key) throws Exception {
        for (JsonNode route : read(caller, "get /routes", Map.of(), Map.of()).path("routes")) {
            if (key.equals(route.path("route_key").asText())) {
                return route;
            }
        }
        throw ApiProblem.notFound("no route " + key);
    }

    // ---- event types

    private void eventTypes(RoutingContext c, Caller caller) throws Exception {
        Map<String, Object> model = model(c, caller, "event-types");
        model.put("types", plain(read(caller, "get /event-types", Map.of(), Map.of()).path("event_types")));
        console.views().send(c, "event-types", model);
    }

    private void editEventType(RoutingContext c, Caller caller) throws Exception {
        String type = c.pathParam("type");
        for (JsonNode row : read(caller, "get /event-types", Map.of(), Map.of()).path("event_types")) {
            if (type.equals(row.path("event_type").asText())) {
                Map<String, Object> values = new HashMap<>();
                values.put("event_type", type);
                values.put("delivery_lane", row.path("delivery_lane").asText());
                values.put("description", row.path("description").asText(null));
                values.put("internal_only", row.path("internal_only").asBoolean());
                eventTypeForm(c, caller, type, values, null);
                return;
            }
        }
        throw ApiProblem.notFound("no event type " + type);
    }

    private void eventTypeForm(RoutingContext c, Caller caller, String type, Map<String, Object> values, String error) {
        Map<String, Object> model = operatorModel(c, caller, "event-types");
        model.put("type", type);
        model.put("values", values);
        model.put("lanes", LANES);
        model.put("error", error);
        console.views().send(c, "event-type-form", model);
    }

    /** Register (no type in the path) or change a type through the API's operations; a refusal shows on the form. */
    private void saveEventType(RoutingContext c, Caller caller) throws Exception {
        String type = c.pathParam("type");
        Map<String, Object> values = new HashMap<>();
        ObjectNode body = body();
        for (String field : List.of("event_type", "delivery_lane", "description", "reason")) {
            values.put(field, Console.form(c, field));
            if (values.get(field) != null) {
                body.put(field, (String) values.get(field));
            }
        }
        boolean internalOnly = "on".equals(c.request().getFormAttribute("internal_only"));
        values.put("internal_only", internalOnly);
        body.put("internal_only", internalOnly);
        String name = type != null ? type : (String) values.get("event_type");
        Attempt saved = type == null ? attempt(caller, "post /event-types", Map.of(), body)
                : attempt(caller, "patch /event-types/{event_type}", Map.of("event_type", type), body);
        saved(c, saved, error -> eventTypeForm(c, caller, type, values, error),
                "Event type " + name + (type == null ? " registered." : " saved."), "/event-types");
    }

    // ---- dead letters

    private void deadLetters(RoutingContext c, Caller caller) throws Exception {
        Map<String, String> filter = new HashMap<>();
        for (String name : List.of("route", "event_type", "reason", "since", "until", "limit")) {
            putIfSet(filter, name, c.request().getParam(name));
        }
        Map<String, Object> model = model(c, caller, "dead-letters");
        model.put("filter", filter);
        model.put("letters", plain(read(caller, "get /dead-letters", Map.of(), filter).path("dead_letters")));
        console.views().send(c, "dead-letters", model);
    }

    private void deadLetter(RoutingContext c, Caller caller) throws Exception {
        Map<String, Object> model = model(c, caller, "dead-letters");
        ObjectNode letter = (ObjectNode) read(caller, "get /dead-letters/{id}", Map.of("id", c.pathParam("id")), Map.of());
        JsonNode snapshot = Json.readOrNull(letter.path("event_snapshot").asText());
        if (snapshot != null) {
            letter.put("event_snapshot", snapshot.toPrettyString());
        }
        model.put("letter", plain(letter));
        console.views().send(c, "dead-letter", model);
    }

    /** Replay or resolve by filter: a dry run shows what would be touched, with a button to do it. */
    private void bulk(RoutingContext c, Caller caller) throws Exception {
        String action = "resolve".equals(Console.form(c, "action")) ? "resolve" : "replay";
        boolean dryRun = !"run".equals(Console.form(c, "mode"));
        ObjectNode body = body();
        Map<String, Object> fields = new LinkedHashMap<>();
        for (String field : List.of("route", "event_type", "reason_code", "reason")) {
            String value = Console.form(c, field);
            fields.put(field, value);
            if (value != null) {
                body.put(field, value);
            }
        }
        boolean all = "on".equals(c.request().getFormAttribute("all"));
        fields.put("all", all);
        if (all && action.equals("replay")) {
            body.put("all", true);
        }
        body.put("dry_run", dryRun);
        String operation = "post /dead-letters/" + action;
        if (!dryRun) {
            act(c, caller, operation, Map.of(), body, "/dead-letters",
                    out -> "Dead letters " + (action.equals("replay") ? "replayed: " + out.path("replayed").asInt()
                            : "resolved: " + out.path("resolved").asInt()) + ".");
            return;
        }
        Map<String, Object> model = model(c, caller, "dead-letters");
        model.put("action", action);
        model.put("fields", fields);
        Attempt preview = attempt(caller, operation, Map.of(), body);
        if (preview.refusal() != null) {
            model.put("error", preview.refusal().getMessage());
        } else {
            model.put("count", preview.out().path(action.equals("replay") ? "replayed" : "resolved").asInt());
            model.put("preview", preview.out().toPrettyString());
        }
        console.views().send(c, "dead-letters-preview", model);
    }

    // ---- gates

    private void gates(RoutingContext c, Caller caller) throws Exception {
        JsonNode gates = read(caller, "get /gates", Map.of(), Map.of("audit_limit", "100"));
        Map<String, Object> model = model(c, caller, "gates");
        model.put("gates", plain(gates.path("gates")));
        model.put("audit", plain(gates.path("audit")));
        console.views().send(c, "gates", model);
    }

    /** Open or close a gate with a reason; delivery_enabled asks once more before it changes. */
    private void gate(RoutingContext c, Caller caller, String action) throws Exception {
        String gate = c.pathParam("gate");
        String reason = Console.form(c, "reason");
        String value = Console.form(c, "value");
        if (DELIVERY_ENABLED.equals(gate) && !"yes".equals(Console.form(c, "confirm")) && reason != null) {
            Map<String, Object> model = operatorModel(c, caller, "gates");
            model.put("gate", gate);
            model.put("action", action);
            model.put("reason", reason);
            model.put("value", value);
            console.views().send(c, "gate-confirm", model);
            return;
        }
        ObjectNode body = body().put("reason", reason);
        if (value != null) {
            body.put("value", value);
        }
        act(c, caller, "post /gates/{gate}/" + action, Map.of("gate", gate), body, "/gates",
                out -> "Gate " + gate + (action.equals("open") ? " opened" : " closed") + ".");
    }

    // ---- batches

    private void batches(RoutingContext c, Caller caller, String title, String result) throws Exception {
        Map<String, Object> model = model(c, caller, "batches");
        model.put("runs", plain(read(caller, "get /batches/runs", Map.of(), Map.of("limit", "20")).path("runs")));
        model.put("resultTitle", title);
        model.put("result", result);
        console.views().send(c, "batches", model);
    }

    private void retention(RoutingContext c, Caller caller) throws Exception {
        boolean dryRun = !"run".equals(Console.form(c, "mode"));
        batch(c, caller, "post /batches/retention", batchBody(c, dryRun),
                "Retention " + (dryRun ? "dry run" : "run"));
    }

    private void scaleout(RoutingContext c, Caller caller) throws Exception {
        boolean dryRun = !"run".equals(Console.form(c, "mode"));
        ObjectNode body = batchBody(c, dryRun);
        String n = Console.form(c, "n");
        if (n != null) {
            try {
                body.put("n", Integer.parseInt(n));
            } catch (NumberFormatException e) {
                throw ApiProblem.badRequest("n must be a whole number, not `" + n + "`");
            }
        }
        String templates = Console.form(c, "templates");
        if (templates != null) {
            body.putArray("templates").addAll(List.of(templates.split("\\s*,\\s*")).stream()
                    .map(Json.MAPPER.getNodeFactory()::textNode).toList());
        }
        String batchId = Console.form(c, "batch_id");
        if (batchId != null) {
            body.put("batch_id", batchId);
        }
        batch(c, caller, "post /batches/scaleout", body, "Scaleout " + (dryRun ? "dry run" : "run"));
    }

    private static ObjectNode batchBody(RoutingContext c, boolean dryRun) {
        return body().put("dry_run", dryRun).put("evidence", "on".equals(c.request().getFormAttribute("evidence")))
                .put("backup", "on".equals(c.request().getFormAttribute("backup")));
    }

    /**
     * A dry run's answer shown on the batches page; a run, started in the background, goes to its
     * page. A refusal (closed gate) shows on the batches page as the API words it.
     */
    private void batch(RoutingContext c, Caller caller, String operation, ObjectNode body, String title) throws Exception {
        Attempt run = attempt(caller, operation, Map.of(), body);
        if (run.refusal() == null && !body.path("dry_run").asBoolean()) {
            Console.flash(c, title + " started.", false);
            Console.redirect(c, "/batches/runs/" + run.out().path("run_id").asText());
            return;
        }
        if (run.refusal() == null) {
            batches(c, caller, title, run.out().toPrettyString());
            return;
        }
        ApiProblem refusal = run.refusal();
        c.response().setStatusCode(refusal.status());
        batches(c, caller, title + ": " + refusal.title().toLowerCase(Locale.ROOT) + " (" + refusal.status() + ")",
                refusal.getMessage());
    }

    /** A batch run: its phase and progress while it runs (the page polls), its evidence report once it has ended. */
    private void batchRun(RoutingContext c, Caller caller) throws Exception {
        Map<String, String> id = Map.of("id", c.pathParam("id"));
        JsonNode run = read(caller, "get /batches/runs/{id}", id, Map.of());
        Map<String, Object> model = model(c, caller, "batches");
        model.put("runId", c.pathParam("id"));
        model.put("run", plain(run));
        boolean running = "running".equals(run.path("outcome").asText());
        model.put("running", running);
        model.put("percent", run.path("units_total").asLong() > 0
                ? Math.min(100, 100 * run.path("units_done").asLong() / run.path("units_total").asLong()) : null);
        if (!running) {
            JsonNode evidence = read(caller, "get /batches/runs/{id}/evidence", id, Map.of());
            model.put("passed", evidence.path("passed").asBoolean());
            // a value as text; an object or a list as indented JSON, shown as a block
            List<Map<String, Object>> report = new ArrayList<>();
            evidence.path("report").fields().forEachRemaining(field -> report.add(Map.of("name", field.getKey(),
                    "block", !field.getValue().isValueNode(), "text", field.getValue().isValueNode()
                            ? field.getValue().asText() : field.getValue().toPrettyString())));
            model.put("report", report);
        }
        console.views().send(c, "batch-run", model);
    }

    // ---- helpers

    /**
     * Runs a change and goes back to {@code back} with its outcome as a message: the summary on
     * success, the API's problem (a closed gate, a validation error) otherwise. Not allowed: 403.
     */
    private void act(RoutingContext c, Caller caller, String operation, Map<String, String> path, ObjectNode body,
                     String back, Function<JsonNode, String> summary) throws Exception {
        Attempt done = attempt(caller, operation, path, body);
        if (done.refusal() == null) {
            Console.flash(c, summary.apply(done.out()), false);
        } else {
            ApiProblem refusal = done.refusal();
            Console.flash(c, refusal.title() + " (" + refusal.status() + "): " + refusal.getMessage(), true);
        }
        Console.redirect(c, back);
    }

    /** A change's answer, or the problem that refused it (a closed gate, a validation error). */
    private record Attempt(JsonNode out, ApiProblem refusal) {
    }

    /**
     * Runs a change. A refusal comes back to be shown where the user acted; not being allowed to
     * (403) is thrown, for the error page.
     */
    private Attempt attempt(Caller caller, String operation, Map<String, String> path, ObjectNode body)
            throws Exception {
        try {
            return new Attempt(read(caller, operation, path, Map.of(), body.toString()), null);
        } catch (ApiProblem problem) {
            if (problem.status() == 403) {
                throw problem;
            }
            return new Attempt(null, problem);
        }
    }

    private JsonNode read(Caller caller, String operation, Map<String, String> path, Map<String, String> query)
            throws Exception {
        return read(caller, operation, path, query, null);
    }

    private JsonNode read(Caller caller, String operation, Map<String, String> path, Map<String, String> query,
                          String body) throws Exception {
        return Json.MAPPER.readTree(console.api().call(caller, operation, path, query, body).json());
    }

    private static ObjectNode body() {
        return Json.MAPPER.createObjectNode();
    }

    private static Map<String, Object> model(RoutingContext c, Caller caller, String page) {
        Map<String, Object> model = Console.model(c, caller);
        model.put("page", page);
        return model;
    }

    /** The model of a form only an operator gets: a viewer gets 403, as the change itself would answer. */
    private static Map<String, Object> operatorModel(RoutingContext c, Caller caller, String page) {
        Endpoints.authorize(caller, Role.OPERATOR);
        return model(c, caller, page);
    }


    /** JSON as maps and lists, which the templates read by key. */
    private static Object plain(JsonNode node) {
        return Json.MAPPER.convertValue(node, Object.class);
    }

    private static void putIfSet(Map<String, String> map, String key, String value) {
        if (value != null && !value.isBlank()) {
            map.put(key, value.strip());
        }
    }

    private static String age(double seconds) {
        Duration age = Duration.ofMillis(Math.round(seconds * 1000));
        if (age.toSeconds() < 60) {
            return age.toSeconds() + " s";
        }
        return age.toHours() > 0 ? age.toHours() + " h " + age.toMinutesPart() + " min"
                : age.toMinutes() + " min " + age.toSecondsPart() + " s";
    }

    /**
     * A chart's data for the page's script (uPlot): x as seconds since the epoch from {@code time},
     * one y series per field, with labels so the legend names each line in words.
     */
    private static String chart(JsonNode rows, String time, List<String> fields, List<String> labels, String unit,
                                boolean points) {
        List<Long> x = new ArrayList<>();
        List<List<Object>> ys = new ArrayList<>();
        fields.forEach(f -> ys.add(new ArrayList<>()));
        for (JsonNode row : rows) {
            if (row.path(time).isMissingNode() || row.path(fields.get(0)).isNull()) {
                continue;
            }
            x.add(OffsetDateTime.parse(row.path(time).asText()).toEpochSecond());
            for (int i = 0; i < fields.size(); i++) {
                ys.get(i).add(row.path(fields.get(i)).isNumber() ? row.path(fields.get(i)).numberValue() : null);
            }
        }
        Map<String, Object> chart = new LinkedHashMap<>();
        chart.put("labels", labels);
        chart.put("unit", unit);
        chart.put("points", points);
        chart.put("x", x);
        chart.put("y", ys);
        return Json.write(chart);
    }
}
