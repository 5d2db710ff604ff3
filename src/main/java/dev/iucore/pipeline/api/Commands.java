package dev.iucore.pipeline.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs a command for the caller and turns its ending into an answer: exit 0 is the command's JSON;
 * a usage error 400, a refusal (closed gate, held lock) 409, a check or step that failed 422, an
 * unexpected error 500; a refusal that says what it was about: an invalid request 400, a thing not
 * there 404, one already there 409; each a problem carrying the command's own message and whatever JSON it printed.
 */
final class Commands {

    private final CommandRunner runner;

    Commands(CommandRunner runner) {
        this.runner = runner;
    }

    /** The command's JSON on exit 0, else a problem. */
    Reply run(Request request, Argv argv) {
        return answer(argv, runner.run(request.caller().name(), argv.build()));
    }

    private static Reply answer(Argv argv, CommandRunner.Result result) {
        if (result.exitCode() == 0) {
            return Reply.ok(result.output());
        }
        throw problem(argv, result);
    }

    /**
     * A batch started on its own thread: 202 with its run id and where to follow it, once its run
     * is recorded; a batch that ended before that (a refusal before anything started, a usage
     * error) answers as {@link #run} does.
     */
    Reply start(Request request, Argv argv) {
        CommandRunner.Started started = runner.start(request.caller().name(), argv.build());
        if (started.runId() == null) {
            return answer(argv, started.result());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("run_id", started.runId().toString());
        body.put("outcome", "running");
        String location = Endpoints.BASE + "/batches/runs/" + started.runId();
        body.put("run", location);
        return Reply.accepted(location, body);
    }

    /** A check's answer either way: {@code passed} and the command's report (exit 1 means "does not hold"). */
    Reply check(Request request, Argv argv) {
        CommandRunner.Result result = runner.run(request.caller().name(), argv.build());
        JsonNode report = Json.readOrNull(result.output());
        if (report == null || (result.exitCode() != 0 && result.exitCode() != 1)) {
            throw problem(argv, result);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("passed", result.exitCode() == 0);
        body.put("report", report);
        return Reply.of(body);
    }

    private static ApiProblem problem(Argv argv, CommandRunner.Result result) {
        Map<String, Object> extensions = new LinkedHashMap<>();
        extensions.put("command", String.join(" ", argv.build().subList(0, commandWords(argv))));
        extensions.put("outcome", result.outcome());
        extensions.put("exit_code", result.exitCode());
        JsonNode output = Json.readOrNull(result.output());
        if (output != null) {
            extensions.put("result", output);
        }
        String detail = result.message() == null || result.message().isBlank() ? "the command ended with exit code "
                + result.exitCode() : result.message();
        if (result.problem() != null) {
            return switch (result.problem()) {
                case "invalid" -> new ApiProblem(400, "Invalid", detail, extensions);
                case "not_found" -> new ApiProblem(404, "Not found", detail, extensions);
                default -> new ApiProblem(409, "Conflict", detail, extensions);
            };
        }
        return switch (result.outcome()) {
            case "usage" -> new ApiProblem(400, "Bad request", detail, extensions);
            case "refused" -> new ApiProblem(409, "Refused", detail, extensions);
            case "failed" -> new ApiProblem(422, "Failed", detail, extensions);
            default -> new ApiProblem(500, "Command error", detail, extensions);
        };
    }

    private static int commandWords(Argv argv) {
        int words = 0;
        for (String part : argv.build()) {
            if (part.startsWith("-")) {
                break;
            }
            words++;
        }
        return words;
    }
}
