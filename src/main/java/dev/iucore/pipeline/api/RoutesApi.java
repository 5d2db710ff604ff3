package dev.iucore.pipeline.api;

import dev.iucore.pipeline.delivery.RouteStatusReader;
import java.math.BigDecimal;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The route table as the relay sees it now ({@code iu_core_route_status}, what {@code routes list}
 * prints), and its changes: {@code routes add|set|enable|disable}, with the fields named as the
 * listing names them ({@code target}, {@code kafka_cluster}) and the columns' own names otherwise.
 */
final class RoutesApi {

    private static final String ROUTE_KEY = "[a-z0-9][a-z0-9._-]{0,199}";

    private final DataSource runtime;
    private final Commands commands;

    RoutesApi(DataSource runtime, Commands commands) {
        this.runtime = runtime;
        this.commands = commands;
    }

    void register(Endpoints endpoints) {
        endpoints.get("/routes", request -> Reply.of(Map.of("routes",
                new RouteStatusReader(runtime).list(request.query("event_type")))));
        endpoints.post("/routes", request -> commands.run(request, fields(request, Argv.of("routes", "add"))
                .positional(routeKey(request.requiredText("route_key")))));
        endpoints.patch("/routes/:route_key", request -> commands.run(request, fields(request, Argv.of("routes", "set"))
                .positional(routeKey(request.path("route_key")))));
        endpoints.post("/routes/:route_key/enable", request -> toggle(request, "enable"));
        endpoints.post("/routes/:route_key/disable", request -> toggle(request, "disable"));
    }

    private Reply toggle(Request request, String command) {
        return commands.run(request, Argv.of("routes", command)
                .option("--actor", request.caller().name())
                .option("--reason", request.requiredText("reason"))
                .positional(routeKey(request.path("route_key"))));
    }

    /** The body's fields as the command's options; on a change an explicit null clears what may be empty. */
    private static Argv fields(Request request, Argv argv) {
        return argv.option("--event-type", request.text("event_type"))
                .option("--target", request.text("target"))
                .option("--kind", request.text("target_kind"))
                .option("--secret-ref", clearable(request, "secret_ref", request.text("secret_ref")))
                .option("--kafka-cluster", clearable(request, "kafka_cluster", request.text("kafka_cluster")))
                .option("--enabled", request.optionalFlag("enabled"))
                .option("--max-attempts", request.integer("max_attempts"))
                .option("--connect-timeout-ms", request.integer("connect_timeout_ms"))
                .option("--read-timeout-ms", request.integer("read_timeout_ms"))
                .option("--backoff-initial-ms", request.integer("backoff_initial_ms"))
                .option("--backoff-factor", decimal(request, "backoff_factor"))
                .option("--backoff-max-ms", request.integer("backoff_max_ms"))
                .option("--ordered", request.optionalFlag("ordered"))
                .option("--circuit-failure-threshold", request.integer("circuit_failure_threshold"))
                .option("--circuit-open-ms", request.integer("circuit_open_ms"))
                .option("--rate-limit-per-second", clearable(request, "rate_limit_per_second",
                        decimal(request, "rate_limit_per_second")))
                .option("--description", clearable(request, "description", request.text("description")))
                .option("--actor", request.caller().name())
                .option("--reason", request.requiredText("reason"))
                .flag("--dry-run", request.flag("dry_run"));
    }

    private static String decimal(Request request, String field) {
        BigDecimal value = request.decimal(field);
        return value == null ? null : value.toPlainString();
    }

    /** An explicit null is the empty value, which clears the column; an absent field is no option. */
    private static String clearable(Request request, String field, String value) {
        return value == null && request.has(field) ? "" : value;
    }

    private static String routeKey(String key) {
        if (!key.matches(ROUTE_KEY)) {
            throw ApiProblem.badRequest("`" + key + "` is not a route key (a-z, 0-9, then also . _ -)");
        }
        return key;
    }
}
