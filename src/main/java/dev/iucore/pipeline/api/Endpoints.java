package dev.iucore.pipeline.api;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where an operation meets the router: its method, path and the least role it needs. Every
 * operation runs on a worker thread (JDBC blocks), after authentication; a caller whose role is
 * too small gets 403 before the operation is reached. The console calls the same operations in
 * process ({@link #call}), so a page reads and changes exactly what the API does.
 */
final class Endpoints {

    static final String BASE = "/api/v1";
    static final String CALLER = "iu.caller";

    @FunctionalInterface
    interface Operation {
        Reply handle(Request request) throws Exception;
    }

    private record Registered(Role least, Operation operation) {
    }

    private final Router router;
    private final Map<String, Registered> operations = new LinkedHashMap<>();

    Endpoints(Router router) {
        this.router = router;
    }

    /** Every operation as the OpenAPI document names it: {@code post /gates/{gate}/open}. */
    List<String> operations() {
        return List.copyOf(operations.keySet());
    }

    /**
     * Runs an operation for {@code caller} as if it came over HTTP: the same role check, the same
     * code. Its answer, or the {@link ApiProblem} it would have answered with.
     *
     * @param operation as {@link #operations()} names it: {@code post /gates/{gate}/open}
     */
    Reply call(Caller caller, String operation, Map<String, String> path, Map<String, String> query, String body)
            throws Exception {
        Registered registered = operations.get(operation);
        if (registered == null) {
            throw ApiProblem.notFound("no operation " + operation + " in this build");
        }
        authorize(caller, registered.least());
        return registered.operation().handle(Request.inProcess(caller, path, query, body));
    }

    /** A read: any authenticated user. */
    void get(String path, Operation operation) {
        add(HttpMethod.GET, path, Role.VIEWER, operation);
    }

    /** A change: operators only. */
    void post(String path, Operation operation) {
        add(HttpMethod.POST, path, Role.OPERATOR, operation);
    }

    /** A change to part of a thing: operators only. */
    void patch(String path, Operation operation) {
        add(HttpMethod.PATCH, path, Role.OPERATOR, operation);
    }

    /** A check that writes nothing but its log row (verify): any authenticated user. */
    void check(String path, Operation operation) {
        add(HttpMethod.POST, path, Role.VIEWER, operation);
    }

    private void add(HttpMethod method, String path, Role least, Operation operation) {
        operations.put(method.name().toLowerCase(Locale.ROOT) + " " + path.replaceAll(":([a-z_]+)", "{$1}"),
                new Registered(least, operation));
        router.route(method, BASE + path).blockingHandler(context -> run(context, least, operation), false);
    }

    private static void run(RoutingContext context, Role least, Operation operation) {
        Caller caller = context.get(CALLER);
        try {
            authorize(caller, least);
            Reply reply = operation.handle(Request.of(context, caller));
            if (reply.location() != null) {
                context.response().putHeader("Location", reply.location());
            }
            context.response().setStatusCode(reply.status()).putHeader("content-type", "application/json")
                    .end(reply.json());
        } catch (Exception e) {
            Problems.send(context, e);
        }
    }

    /** Refuses with 403 a caller whose role is less than {@code least}. */
    static void authorize(Caller caller, Role least) {
        if (least.mayChange() && !caller.role().mayChange()) {
            throw new ApiProblem(403, "Forbidden", "user " + caller.name() + " has role " + caller.role().fileName()
                    + ", which may only read; this needs role operator", null);
        }
    }
}
