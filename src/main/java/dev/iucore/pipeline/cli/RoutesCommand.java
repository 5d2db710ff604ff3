package dev.iucore.pipeline.cli;

import dev.iucore.pipeline.routes.RouteFileReport;
import dev.iucore.pipeline.routes.RouteFileValidator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.postgresql.ds.PGSimpleDataSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code iu-core routes validate <file|dir>}. */
@Command(name = "routes", description = "Work with the YAML routes.", subcommands = RoutesCommand.Validate.class)
final class RoutesCommand {

    @Command(name = "validate", description = {
        "Check operator route files (a file, or a directory's *.yaml) as the service would before loading them:",
        "the ops rules, then Camel's own reading in a context that is built but not started. Each error with its",
        "file and line; exit 1 on any."})
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
            RouteFileValidator validator = new RouteFileValidator(context.settings().asMap(), new PGSimpleDataSource());
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
