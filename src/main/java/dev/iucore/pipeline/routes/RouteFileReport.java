package dev.iucore.pipeline.routes;

import java.nio.file.Path;
import java.util.List;

/** The check of one route file: the route ids it defines and every problem found, by line. */
public record RouteFileReport(Path file, List<String> routes, List<RouteProblem> errors) {

    public RouteFileReport {
        routes = List.copyOf(routes);
        errors = List.copyOf(errors);
    }

    public boolean valid() {
        return errors.isEmpty();
    }

    /** {@code line N: message; ...}: the problems in one line, for a log. */
    public String summary() {
        return String.join("; ", errors.stream().map(e -> (e.line() > 0 ? "line " + e.line() + ": " : "") + e.message()).toList());
    }

    /** {@code file:line: message}, one per problem, as compilers write them. */
    public List<String> describeErrors() {
        return errors.stream().map(e -> file + (e.line() > 0 ? ":" + e.line() : "") + ": " + e.message()).toList();
    }
}
