package dev.iucore.pipeline.routes;

/** One thing wrong with a route file: the line it is on (0: the file as a whole) and what is wrong. */
public record RouteProblem(int line, String message) {
}
