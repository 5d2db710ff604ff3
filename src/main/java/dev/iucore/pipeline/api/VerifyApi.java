package dev.iucore.pipeline.api;

/**
 * {@code verify health}, {@code conformance} and {@code boundary}, run as the CLI runs them and
 * logged as it logs them; a check that does not hold is an answer ({@code passed: false}), not an error.
 */
final class VerifyApi {

    private static final String EVENT_TYPE = "[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+";

    private final Commands commands;

    VerifyApi(Commands commands) {
        this.commands = commands;
    }

    void register(Endpoints endpoints) {
        endpoints.check("/verify/health", request -> commands.check(request, Argv.of("verify", "health")));
        endpoints.check("/verify/conformance", request -> commands.check(request, Argv.of("verify", "conformance")));
        endpoints.check("/verify/boundary", request -> {
            String type = request.text("event_type");
            if (type != null && !type.matches(EVENT_TYPE)) {
                throw ApiProblem.badRequest("event_type `" + type + "` is not an event type name");
            }
            return commands.check(request, Argv.of("verify", "boundary").flag("--all", type == null).positional(type));
        });
    }
}
