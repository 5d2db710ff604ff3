package dev.iucore.pipeline.api;

import dev.iucore.pipeline.delivery.DeadLetters;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Dead letters: list by filter, show one with its event snapshot and every attempt, replay and
 * resolve one or in bulk, dry run first. Replay and resolve are {@code dead-letters replay|resolve}
 * themselves: the same gate, selection rules, chunks and refusals.
 */
final class DeadLettersApi {

    private final DataSource runtime;
    private final Commands commands;

    DeadLettersApi(DataSource runtime, Commands commands) {
        this.runtime = runtime;
        this.commands = commands;
    }

    void register(Endpoints endpoints) {
        endpoints.get("/dead-letters", request -> {
            DeadLetters.Filter filter = new DeadLetters.Filter(request.query("route"), request.query("event_type"),
                    request.query("reason"), request.queryTime("since"), request.queryTime("until"));
            return Reply.of(Map.of("dead_letters", new DeadLetters(runtime).list(filter, request.queryInt("limit", 50))));
        });
        endpoints.get("/dead-letters/:id", request -> {
            long id = request.pathLong("id");
            return Reply.of(new DeadLetters(runtime).show(id).orElseThrow(() -> ApiProblem.notFound("no dead letter "
                    + id + "; GET /api/v1/dead-letters lists them")).asMap());
        });
        endpoints.post("/dead-letters/replay", request -> commands.run(request, filtered(request,
                Argv.of("dead-letters", "replay").flag("--all", request.flag("all")), request.ids("ids"))));
        endpoints.post("/dead-letters/:id/replay", request -> commands.run(request,
                Argv.of("dead-letters", "replay").option("--actor", request.caller().name())
                        .flag("--dry-run", request.flag("dry_run")).positional(request.pathLong("id"))));
        endpoints.post("/dead-letters/resolve", request -> commands.run(request, filtered(request,
                Argv.of("dead-letters", "resolve").option("--reason", request.requiredText("reason")),
                request.ids("ids"))));
        endpoints.post("/dead-letters/:id/resolve", request -> commands.run(request,
                Argv.of("dead-letters", "resolve").option("--actor", request.caller().name())
                        .option("--reason", request.requiredText("reason"))
                        .flag("--dry-run", request.flag("dry_run")).positional(request.pathLong("id"))));
    }

    /** The bulk selection both commands share: ids, or the filter, with the caller as actor. */
    private static Argv filtered(Request request, Argv argv, List<Long> ids) {
        return argv.option("--actor", request.caller().name())
                .option("--route", request.text("route"))
                .option("--event-type", request.text("event_type"))
                .option("--reason-code", request.text("reason_code"))
                .option("--since", time(request, "since"))
                .option("--until", time(request, "until"))
                .option("--limit", request.integer("limit"))
                .flag("--dry-run", request.flag("dry_run"))
                .positionals(ids);
    }

    private static String time(Request request, String field) {
        String value = request.text(field);
        Request.time(field, value);
        return value;
    }
}
