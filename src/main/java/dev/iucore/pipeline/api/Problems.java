package dev.iucore.pipeline.api;

import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes errors as problem details; an unexpected one is logged here and answered without internals. */
final class Problems {

    private static final Logger LOG = LoggerFactory.getLogger(Problems.class);
    static final String CONTENT_TYPE = "application/problem+json";

    private Problems() {
    }

    static void send(RoutingContext context, Throwable error) {
        ApiProblem problem = error instanceof ApiProblem known ? known : unexpected(context, error);
        send(context, problem);
    }

    static void send(RoutingContext context, ApiProblem problem) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "about:blank");
        body.put("title", problem.title());
        body.put("status", problem.status());
        body.put("detail", problem.getMessage());
        body.put("instance", context.request().path());
        body.putAll(problem.extensions());
        if (!context.response().ended()) {
            context.response().setStatusCode(problem.status()).putHeader("content-type", CONTENT_TYPE)
                    .end(Json.write(body));
        }
    }

    private static ApiProblem unexpected(RoutingContext context, Throwable error) {
        LOG.warn("operator API {} {} failed", context.request().method(), context.request().path(), error);
        return new ApiProblem(500, "Internal error", "the request could not be completed: "
                + error.getClass().getSimpleName() + "; the service log has the details", null);
    }
}
