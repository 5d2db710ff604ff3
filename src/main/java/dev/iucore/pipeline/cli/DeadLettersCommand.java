package dev.iucore.pipeline.cli;

import dev.iucore.pipeline.delivery.DeadLetters;
import dev.iucore.pipeline.delivery.DeadLetters.DeadLetter;
import dev.iucore.pipeline.delivery.DeadLetters.ReplayOutcome;
import java.sql.SQLException;
import java.time.OffsetDateTime;
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

/** {@code iu-core dead-letters list|show|replay}. */
@Command(name = "dead-letters", description = "Inspect and replay what the relay could not deliver.",
        subcommands = {DeadLettersCommand.ListDeadLetters.class, DeadLettersCommand.Show.class,
            DeadLettersCommand.Replay.class})
final class DeadLettersCommand {

    /** When and by whom: the actor the replay claimed, and the database user that made it. */
    private static String replayed(DeadLetter l) {
        return l.replayedAt() + " by " + l.replayedBy() + " (database user " + l.replayedDbUser() + ")";
    }

    /** The filters list and replay share. */
    static final class FilterOptions {
        @Option(names = "--route", description = "Route key.")
        String route;

        @Option(names = "--event-type", description = "Event type.")
        String eventType;

        @Option(names = "--reason", description = "Reason code, e.g. attempts_exhausted.")
        String reason;

        @Option(names = "--since", description = "Dead at or after (ISO-8601, e.g. 2026-11-29T00:00:00Z).")
        OffsetDateTime since;

        @Option(names = "--until", description = "Dead before (ISO-8601).")
        OffsetDateTime until;

        DeadLetters.Filter filter() {
            return new DeadLetters.Filter(route, eventType, reason, since, until);
        }
    }

    @Command(name = "list", description = "List dead letters, newest first.")
    static final class ListDeadLetters implements Callable<Integer> {
        @Mixin
        FilterOptions filter;

        @Option(names = "--limit", defaultValue = "50", description = "At most this many (default ${DEFAULT-VALUE}).")
        int limit;

        @Mixin
        JsonOption json;

        private final CommandContext context;

        ListDeadLetters(CommandContext context) {
            this.context = context;
        }

        @Override
        public Integer call() throws SQLException {
            List<DeadLetter> letters = new DeadLetters(context.database().runtime()).list(filter.filter(), limit);
            if (json.enabled()) {
                Output.printJson(context.out(), Map.of("dead_letters", letters));
                return ExitCode.OK;
            }
            Output.printTable(context.out(), List.of("ID", "DEAD AT", "REASON", "EVENT TYPE", "ROUTE", "ATTEMPTS",
                    "REPLAYED"), letters.stream().map(l -> List.of(Long.toString(l.id()), String.valueOf(l.deadAt()),
                    l.reason(), l.eventType(), l.routeKey() == null ? "-" : l.routeKey(),
                    l.attempts() == null ? "-" : l.attempts().toString(),
                    l.replayedAt() == null ? "" : replayed(l))).toList());
            context.out().println(letters.size() + " dead letter(s)");
            return ExitCode.OK;
        }
    }

    @Command(name = "show", description = "Show one dead letter with its event and attempts.")
    static final class Show implements Callable<Integer> {
        @Parameters(paramLabel = "<id>")
        long id;

        @Mixin
        JsonOption json;

        private final CommandContext context;

        Show(CommandContext context) {
            this.context = context;
        }

        @Override
        public Integer call() throws SQLException {
            DeadLetters.Detail detail = new DeadLetters(context.database().runtime()).show(id)
                    .orElseThrow(() -> CommandFailure.failed("no dead letter " + id + "; `iu-core dead-letters list` shows them"));
            if (json.enabled()) {
                Output.printJson(context.out(), detail.asMap());
                return ExitCode.OK;
            }
            DeadLetter l = detail.deadLetter();
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("id", l.id());
            fields.put("dead at", l.deadAt());
            fields.put("reason", l.reason());
            fields.put("event", l.eventId() + " (" + l.eventType() + ")");
            fields.put("route", l.routeKey() == null ? "-" : l.routeKey());
            fields.put("delivery", l.deliveryId() == null ? "-" : l.deliveryId());
            fields.put("last error", l.lastError());
            fields.put("replayed", l.replayedAt() == null ? "no" : replayed(l) + " as delivery " + l.replayDeliveryId());
            fields.forEach((k, v) -> context.out().printf("%-10s %s%n", k + ":", v));
            context.out().println("event:     " + detail.eventSnapshot());
            Output.printTable(context.out(), List.of("DELIVERY", "ATTEMPT", "AT", "OUTCOME", "HTTP", "ERROR", "MS", "NODE"),
                    detail.attempts().stream().map(a -> List.of(Long.toString(a.deliveryId()),
                            Integer.toString(a.attemptNo()), String.valueOf(a.attemptedAt()), a.outcome(),
                            a.httpStatus() == null ? "" : a.httpStatus().toString(),
                            a.errorClass() == null ? "" : a.errorClass(), Integer.toString(a.latencyMs()), a.node()))
                            .toList());
            return ExitCode.OK;
        }
    }

    @Command(name = "replay", description = {
        "Replay dead letters by id, or in bulk by filter, as fresh deliveries (gate dead_letter_replay_enabled).",
        "Today's gates and routes are checked again; what they refuse is reported and left as it is."})
    static final class Replay implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "<id>", arity = "0..*", description = "Dead letter ids; without ids, --route/--event-type/... select.")
        List<Long> ids;

        @Mixin
        FilterOptions filter;

        @Option(names = "--all", description = "With no ids and no filter: replay every dead letter not yet replayed.")
        boolean all;

        @Option(names = "--limit", defaultValue = "1000", description = "At most this many in this run (default ${DEFAULT-VALUE}); run again to continue.")
        int limit;

        @Option(names = "--actor", required = true, description = "Who replays (audited).")
        String actor;

        @Option(names = "--dry-run", description = "Show what would be replayed; change nothing.")
        boolean dryRun;

        @Mixin
        JsonOption json;

        private final CommandContext context;

        Replay(CommandContext context) {
            this.context = context;
        }

        @Override
        public Integer call() throws SQLException {
            DeadLetters.Filter selection = filter.filter();
            boolean hasIds = ids != null && !ids.isEmpty();
            if (!hasIds && selection.isEmpty() && !all) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "say which dead letters: ids, a filter (--route, --event-type, --reason, --since, --until) or --all");
            }
            DeadLetters deadLetters = new DeadLetters(context.database().runtime());
            if (!dryRun && !deadLetters.replayAllowed()) {
                throw CommandFailure.refused("gate dead_letter_replay_enabled is closed; open it with "
                        + "`iu-core gates open dead_letter_replay_enabled --actor ... --reason ...`, or use --dry-run");
            }
            List<ReplayOutcome> outcomes = deadLetters.replay(hasIds ? ids : null, selection, actor, dryRun, limit);
            long replayed = outcomes.stream().filter(ReplayOutcome::replayed).count();
            if (!dryRun) {
                context.invocation().rowDelta("iu_route_delivery", outcomes.stream().filter(o -> o.deliveryId() != null).count());
                context.invocation().rowDelta("iu_route_dead_letter replayed", replayed);
            }
            if (json.enabled()) {
                Output.printJson(context.out(), Map.of("dry_run", dryRun, "replayed", replayed,
                        "refused", outcomes.size() - replayed, "outcomes", outcomes));
            } else {
                Output.printTable(context.out(), List.of("DEAD LETTER", "OUTCOME", "DETAIL"),
                        outcomes.stream().map(o -> List.of(Long.toString(o.deadLetterId()),
                                o.replayed() ? (dryRun ? "would replay" : "replayed") : "refused", o.detail())).toList());
                context.out().printf("%s%d replayed, %d refused%n", dryRun ? "dry run: " : "", replayed,
                        outcomes.size() - replayed);
            }
            if (hasIds && outcomes.size() < ids.size()) {
                throw CommandFailure.failed((ids.size() - outcomes.size())
                        + " of the given ids are not replayable dead letters (unknown, or already replayed or resolved)");
            }
            return replayed == outcomes.size() ? ExitCode.OK : ExitCode.FAILED;
        }
    }
}
