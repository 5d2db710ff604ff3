package dev.iucore.pipeline.cli;

import dev.iucore.pipeline.delivery.RouteStatusReader;
import dev.iucore.pipeline.delivery.RouteStatusReader.RouteStatus;
import dev.iucore.pipeline.routes.RouteFileReport;
import dev.iucore.pipeline.routes.RouteFileValidator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.postgresql.ds.PGSimpleDataSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code iu-core routes list} (the route table), {@code add|set|enable|disable} (changes to it,
 * {@link RouteWriteCommands}) and {@code validate <file|dir>} (YAML routes).
 */
@Command(name = "routes", description = "Show and change the route table (every change audited); check YAML route files.",
        subcommands = {RoutesCommand.ListRoutes.class, RouteWriteCommands.AddRoute.class, RouteWriteCommands.SetRoute.class,
            RouteWriteCommands.EnableRoute.class, RouteWriteCommands.DisableRoute.class, RoutesCommand.Validate.class})
final class RoutesCommand {

    @Command(name = "list", description = {
        "Show every outbound and SQL route: whether it delivers now or why not (gated, disabled, paused by its",
        "circuit, probing, removed), its circuit and rate limit, and its pending, retrying and dead work."})
    static final class ListRoutes implements Callable<Integer> {

        @Option(names = "--event-type", paramLabel = "<type>", description = "Only the routes of this event type.")
        String eventType;

        @Mixin
        JsonOption json;

        private final CommandContext context;

        ListRoutes(CommandContext context) {
            this.context = context;
        }

        @Override
        public Integer call() throws SQLException {
            List<RouteStatus> routes = new RouteStatusReader(context.database().runtime()).list(eventType);
            if (json.enabled()) {
                Output.printJson(context.out(), Map.of("routes", routes));
            } else if (routes.isEmpty()) {
                context.out().println(eventType == null ? "no routes" : "no routes for " + eventType);
            } else {
                Output.printTable(context.out(),
                        List.of("ROUTE", "KIND", "EVENT TYPE", "TARGET", "STATE", "CIRCUIT", "RATE/S", "PENDING",
                                "RETRYING", "DEAD", "SKIPPED"),
                        routes.stream().map(r -> List.of(r.routeKey(), r.kind(), orDash(r.eventType()),
                                target(r), r.state(), circuit(r),
                                r.rateLimitPerSecond() == null ? "-" : r.rateLimitPerSecond().toPlainString(),
                                Long.toString(r.deliveriesPending()), Long.toString(r.deliveriesRetrying()),
                                Long.toString(r.deadLettersOpen()), skipped(r))).toList());
            }
            return ExitCode.OK;
        }

        /** A kafka route on a named cluster says which; the default cluster goes unsaid. */
        private static String target(RouteStatus route) {
            return route.kafkaCluster() == null ? orDash(route.target())
                    : route.target() + " (cluster " + route.kafkaCluster() + ")";
        }

        /** Events dispatched while the route was not allowed, with the last reason: never a silent gap. */
        private static String skipped(RouteStatus route) {
            return route.eventsSkipped() == 0 ? "0" : route.eventsSkipped() + " (" + route.lastSkipReason() + ")";
        }

        private static String circuit(RouteStatus route) {
            if (route.circuitFailureThreshold() == null) {
                return "-";
            }
            String failures = route.consecutiveFailures() + "/" + route.circuitFailureThreshold();
            return route.nextProbeAt() == null || "closed".equals(route.circuitState())
                    ? route.circuitState() + " " + failures
                    : route.circuitState() + " " + failures + ", probe at " + route.nextProbeAt();
        }

        private static String orDash(String value) {
            return value == null ? "-" : value;
        }
    }

    @Command(name = "validate", description = {
        "Check operator route files (a file, or a directory's *.yaml) as the service would before loading them:",
        "what an ops route may contain (an allowlist), then Camel's own reading in a context that is built but",
        "not started. Each error with its file and line; exit 1 on any."})
    static final class Validate implements Callable<Integer> {

        @Parameters(paramLabel = "<file|dir>", description = "A YAML route file or a directory of them.")
        Path path;

        @Mixin
        JsonOption json;

        @Spec
        CommandSpec spec;

        private final CommandContext context;

        Validate(CommandContext context) {
            this.context = context;
        }

        @Override
        public Integer call() throws IOException {
            if (!Files.exists(path)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "no such file or directory: " + path);
            }
            List<Path> files = RouteFileValidator.routeFiles(path);
            if (files.isEmpty()) {
                throw CommandFailure.failed("no *.yaml route files in " + path);
            }
            // endpoints are resolved, never connected: a data source that points nowhere is enough for sql:
            RouteFileValidator validator = new RouteFileValidator(context.settings().camelProperties(), new PGSimpleDataSource());
            List<RouteFileReport> reports = new ArrayList<>();
            files.forEach(file -> reports.add(validator.validate(file)));
            boolean valid = reports.stream().allMatch(RouteFileReport::valid);
            if (json.enabled()) {
                Output.printJson(context.out(), Map.of("valid", valid, "files", reports.stream().map(r -> Map.of(
                        "file", r.file(), "valid", r.valid(), "routes", r.routes(), "errors", r.errors())).toList()));
            } else {
                for (RouteFileReport report : reports) {
                    if (report.valid()) {
                        context.out().println(report.file() + ": ok (" + report.routes().size() + " routes: "
                                + String.join(", ", report.routes()) + ")");
                    } else {
                        report.describeErrors().forEach(context.out()::println);
                    }
                }
            }
            long failed = reports.stream().filter(r -> !r.valid()).count();
            if (failed > 0) {
                throw CommandFailure.failed(failed + " of " + reports.size() + " route files have errors; the service would reject them");
            }
            return ExitCode.OK;
        }
    }
}
