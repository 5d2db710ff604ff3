package dev.iucore.pipeline.api;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where an operation meets the router: its method, path and the least role it needs. Every
 * operation runs on a worker thread (JDBC blocks), after authentication; a caller whose role is
 * too small gets 403 before the operation is reached.
 */
final class Endpoints {

    static final String BASE = "/api/v1";
    static final String CALLER = "iu.caller";

    @FunctionalInterface
    interface Operation {
        Reply handle(Request request) throws Exception;
    }

    private final Router router;
    private final List<String> operations = new ArrayList<>();

    Endpoints(Router router) {
        this.router = router;
    }

    /** Every operation as the OpenAPI document names it: {@code post /gates/{gate}/open}. */
    List<String> operations() {
        return List.copyOf(operations);
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
        operations.add(method.name().toLowerCase(Locale.ROOT) + " " + path.replaceAll(":([a-z_]+)", "{$1}"));
        router.route(method, BASE + path).blockingHandler(context -> run(context, least, operation), false);
    }

    private static void run(RoutingContext context, Role least, Operation operation) {
        Caller caller = context.get(CALLER);
        try {
            if (least.mayChange() && !caller.role().mayChange()) {
                throw new ApiProblem(403, "Forbidden", "user " + caller.name() + " has role " + caller.role().fileName()
                        + ", which may only read; this needs role operator", null);
            }
            Reply reply = operation.handle(new Request(context, caller));
            context.response().setStatusCode(reply.status()).putHeader("content-type", "application/json")
                    .end(reply.json());
        } catch (Exception e) {
            Problems.send(context, e);
        }
    }
}
