package dev.iucore.pipeline.cli;

import dev.iucore.pipeline.control.RouteWrites;
import dev.iucore.pipeline.control.RouteWrites.Route;
import dev.iucore.pipeline.control.RouteWrites.Toggle;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code iu-core routes add|set|enable|disable}: the route table changed through the audited functions
 * of migration V090, a target checked by the relay's own rules before anything is written.
 */
final class RouteWriteCommands {

    private static final List<String> KINDS = List.of("webhook", "kafka", "log");

    private RouteWriteCommands() {
    }

    /**
     * The columns both add and set take (a mixin of each, so the two commands offer the same
     * options); an empty value ({@code --secret-ref=}) clears one on set.
     */
    static final class Fields {

        @Option(names = "--event-type", paramLabel = "<type>", description = "The registered event type it carries.")
        String eventType;

        @Option(names = "--target", paramLabel = "<uri>",
                description = "https://…, http://…, kafka:<topic> or log:<name>; no credentials in it.")
        String target;

        @Option(names = "--kind", paramLabel = "<kind>",
                description = "webhook, kafka or log; when given, it must be the target's.")
        String kind;

        @Option(names = "--secret-ref", paramLabel = "<variable>",
                description = "Webhooks: the environment variable IU_WEBHOOK_SECRET_… holding the signing secret.")
        String secretRef;

        @Option(names = "--kafka-cluster", paramLabel = "<name>",
                description = "Kafka routes: the configured cluster to publish to (none: the default one).")
        String kafkaCluster;

        @Option(names = "--enabled", arity = "1", paramLabel = "<true|false>",
                description = "Take new deliveries (a new route: default true).")
        Boolean enabled;

        @Option(names = "--max-attempts", paramLabel = "<n>", description = "Tries before the dead letter (default 8).")
        Integer maxAttempts;

        @Option(names = "--connect-timeout-ms", paramLabel = "<ms>", description = "Per try (default 5000).")
        Integer connectTimeoutMs;

        @Option(names = "--read-timeout-ms", paramLabel = "<ms>", description = "Per try (default 10000).")
        Integer readTimeoutMs;

        @Option(names = "--backoff-initial-ms", paramLabel = "<ms>", description = "Wait before the second try (default 1000).")
        Integer backoffInitialMs;

        @Option(names = "--backoff-factor", paramLabel = "<x>",
                description = "Each wait this many times the one before, at least 1 (default 2.0).")
        BigDecimal backoffFactor;

        @Option(names = "--backoff-max-ms", paramLabel = "<ms>",
                description = "The longest wait, at least the initial one (default 600000).")
        Integer backoffMaxMs;

        @Option(names = "--ordered", arity = "1", paramLabel = "<true|false>",
                description = "Deliver an aggregate's events one after another, in order (default false).")
        Boolean ordered;

        @Option(names = "--circuit-failure-threshold", paramLabel = "<n>",
                description = "Failures in a row that open the circuit (default 5).")
        Integer circuitFailureThreshold;

        @Option(names = "--circuit-open-ms", paramLabel = "<ms>",
                description = "How long an open circuit pauses the route before one probe (default 30000).")
        Integer circuitOpenMs;

        @Option(names = "--rate-limit-per-second", paramLabel = "<n>", description = "At most this many tries a second (none: unlimited).")
        String rateLimitPerSecond;

        @Option(names = "--description", paramLabel = "<text>", description = "What the route is for.")
        String description;

        /** The columns given, by their names in iu_outbound_route; an empty text is a NULL (cleared). */
        Map<String, Object> columns(CommandSpec spec) {
            if (kind != null && !KINDS.contains(kind)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--kind takes webhook, kafka or log, not `" + kind + "`");
            }
            Map<String, Object> columns = new LinkedHashMap<>();
            put(columns, "event_type", eventType);
            put(columns, "target_uri", target);
            put(columns, "secret_ref", secretRef);
            put(columns, "kafka_cluster", kafkaCluster);
            put(columns, "enabled", enabled);
            put(columns, "max_attempts", maxAttempts);
            put(columns, "connect_timeout_ms", connectTimeoutMs);
            put(columns, "read_timeout_ms", readTimeoutMs);
            put(columns, "backoff_initial_ms", backoffInitialMs);
            put(columns, "backoff_factor", backoffFactor);
            put(columns, "backoff_max_ms", backoffMaxMs);
            put(columns, "ordered", ordered);
            put(columns, "circuit_failure_threshold", circuitFailureThreshold);
            put(columns, "circuit_open_ms", circuitOpenMs);
            if (rateLimitPerSecond != null) {
                columns.put("rate_limit_per_second", rateLimit(spec));
            }
            put(columns, "description", description);
            return columns;
        }

        private BigDecimal rateLimit(CommandSpec spec) {
            if (rateLimitPerSecond.isEmpty()) {
                return null;
            }
            try {
                return new BigDecimal(rateLimitPerSecond);
            } catch (NumberFormatException e) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--rate-limit-per-second takes a number, not `" + rateLimitPerSecond + "`");
            }
        }

        /** Given options only; an empty text given on purpose clears the column. */
        private void put(Map<String, Object> columns, String column, Object value) {
            if (value != null) {
                columns.put(column, "".equals(value) ? null : value);
            }
        }
    }

    /** Shared by add and set: the key, the fields, who and why, a dry run, and how the answer is printed. */
    abstract static class WriteRoute implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "<route-key>", description = "The route's key (a-z, 0-9, . _ -).")
        String routeKey;

        @Mixin
        Fields fields;

        @Mixin
        ControlWrites.Audit audit;

        @Option(names = "--dry-run", description = "Check everything a real run checks; write nothing.")
        boolean dryRun;

        @Mixin
        JsonOption json;

        final CommandContext context;
        private final String verb;

        /** {@code verb}: what the command does, as its answer says it ({@code added}). */
        WriteRoute(CommandContext context, String verb) {
            this.context = context;
            this.verb = verb;
        }

        abstract Route write(RouteWrites routes, Map<String, Object> columns) throws SQLException;

        @Override
        public Integer call() throws SQLException {
            Map<String, Object> columns = fields.columns(spec);
            RouteWrites routes = new RouteWrites(context.database().runtime(), ControlWrites.targetRules(context));
            Route route = ControlWrites.run(() -> write(routes, columns));
            ControlWrites.report(context, json, dryRun, "route", route, String.format("route %s %s: %s -> %s (%s, %s)",
                    route.routeKey(), ControlWrites.done(verb, dryRun), route.eventType(), route.target(),
                    route.targetKind(), route.enabled() ? "enabled" : "disabled"));
            return ExitCode.OK;
        }
    }

    @Command(name = "add", description = {
        "Add an outbound route (audited). The target is checked as the relay checks it before it delivers: the",
        "scheme allowlist, no internal address unless iu.delivery.allowed-networks lists it, the secret reference;",
        "the event type must be registered and not internal-only. Deliver it by listing it in delivery_live_routes."})
    static final class AddRoute extends WriteRoute {

        AddRoute(CommandContext context) {
            super(context, "added");
        }

        @Override
        Route write(RouteWrites routes, Map<String, Object> columns) throws SQLException {
            if (fields.eventType == null || fields.target == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "a new route needs --event-type and --target");
            }
            Route route = routes.add(routeKey, columns, fields.kind, audit.actor, audit.reason, dryRun);
            if (!dryRun) {
                context.invocation().rowDelta("iu_outbound_route", 1);
            }
            return route;
        }
    }

    @Command(name = "set", description = {
        "Change an outbound route (audited): only the options given; an empty value (--secret-ref=) clears one",
        "that may be empty. The route as it would then be is checked as on add; refused, nothing changes."})
    static final class SetRoute extends WriteRoute {

        SetRoute(CommandContext context) {
            super(context, "changed");
        }

        @Override
        Route write(RouteWrites routes, Map<String, Object> columns) throws SQLException {
            return routes.change(routeKey, columns, fields.kind, audit.actor, audit.reason, dryRun);
        }
    }

    /** Shared by enable and disable. */
    abstract static class ToggleRoute implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "<route-key>", description = "An outbound or SQL route.")
        String routeKey;

        @Mixin
        ControlWrites.Audit audit;

        @Mixin
        JsonOption json;

        private final CommandContext context;
        private final boolean enable;

        ToggleRoute(CommandContext context, boolean enable) {
            this.context = context;
            this.enable = enable;
        }

        @Override
        public Integer call() throws SQLException {
            RouteWrites routes = new RouteWrites(context.database().runtime(), ControlWrites.targetRules(context));
            Toggle toggle = ControlWrites.run(() -> routes.setEnabled(routeKey, enable, audit.actor, audit.reason));
            context.invocation().rowDelta("iu_core_control_audit", toggle.changed() ? 1 : 0);
            if (json.enabled()) {
                Output.printJson(context.out(), toggle);
            } else {
                context.out().printf("route %s (%s): %s%n", routeKey, toggle.kind(), toggle.changed()
                        ? (enable ? "enabled" : "disabled") : "already " + (enable ? "enabled" : "disabled"));
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "enable", description = "Let a route (outbound or SQL) take new deliveries again (audited).")
    static final class EnableRoute extends ToggleRoute {
        EnableRoute(CommandContext context) {
            super(context, true);
        }
    }

    @Command(name = "disable", description = "Give a route (outbound or SQL) no new deliveries; open ones wait (audited).")
    static final class DisableRoute extends ToggleRoute {
        DisableRoute(CommandContext context) {
            super(context, false);
        }
    }
}
