package dev.iucore.pipeline.cli;

import dev.iucore.pipeline.delivery.DeadLetterResolution;
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

/** {@code iu-core dead-letters list|show|replay|resolve}. */
@Command(name = "dead-letters", description = "Inspect, replay or resolve what the relay could not deliver.",
        subcommands = {DeadLettersCommand.ListDeadLetters.class, DeadLettersCommand.Show.class,
            DeadLettersCommand.Replay.class, DeadLettersCommand.Resolve.class})
final class DeadLettersCommand {

    /**
     * The filters every subcommand shares, the reason code aside: list and replay take it as
     * {@code --reason}, resolve as {@code --reason-code} (its {@code --reason} says why, as gates' does).
     */
    static final class FilterOptions {
        @Option(names = "--route", description = "Route key.")
        String route;

        @Option(names = "--event-type", description = "Event type.")
        String eventType;

        @Option(names = "--since", description = "Dead at or after (ISO-8601, e.g. 2026-11-29T00:00:00Z).")
        OffsetDateTime since;

        @Option(names = "--until", description = "Dead before (ISO-8601).")
        OffsetDateTime until;

        DeadLetters.Filter filter(String reasonCode) {
            return new DeadLetters.Filter(route, eventType, reasonCode, since, until);
        }

        /** A bulk command acts on ids, a filter, or (where it offers one) everything: never on nothing said. */
        static void requireSelection(CommandSpec spec, List<Long> ids, DeadLetters.Filter filter, String reasonOption,
                                     String orAll) {
            if ((ids == null || ids.isEmpty()) && filter.isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "say which dead letters: ids, a filter"
                        + " (--route, --event-type, " + reasonOption + ", --since, --until)" + orAll);
            }
        }
    }

    /** The reason-code filter of list and replay. */
    static final class ReasonCodeOption {
        @Option(names = {"--reason", "--reason-code"}, description = "Reason code, e.g. attempts_exhausted.")
        String code;
    }

    @Command(name = "list", description = "List dead letters, newest first.")
    static final class ListDeadLetters implements Callable<Integer> {
        @Mixin
        FilterOptions filter;

        @Mixin
        ReasonCodeOption reasonCode;

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
            List<DeadLetter> letters = new DeadLetters(context.database().runtime()).list(filter.filter(reasonCode.code), limit);
            if (json.enabled()) {
                Output.printJson(context.out(), Map.of("dead_letters", letters));
                return ExitCode.OK;
            }
            Output.printTable(context.out(), List.of("ID", "DEAD AT", "REASON", "EVENT TYPE", "ROUTE", "ATTEMPTS",
                    "CLOSED"), letters.stream().map(l -> List.of(Long.toString(l.id()), String.valueOf(l.deadAt()),
                    l.reason(), l.eventType(), l.routeKey() == null ? "-" : l.routeKey(),
                    l.attempts() == null ? "-" : l.attempts().toString(), l.closed())).toList());
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
            fields.put("replayed", l.replayedAt() == null ? "no" : l.replayed() + " as delivery " + l.replayDeliveryId());
            fields.put("resolved", l.resolvedAt() == null ? "no"
                    : l.resolvedAt() + " by " + l.resolvedBy() + ": " + l.resolutionReason());
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

        @Mixin
        ReasonCodeOption reasonCode;

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
            DeadLetters.Filter selection = filter.filter(reasonCode.code);
            boolean hasIds = ids != null && !ids.isEmpty();
            if (!all) {
                FilterOptions.requireSelection(spec, ids, selection, "--reason", " or --all");
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

    @Command(name = "resolve", description = {
        "Close dead letters without replaying them, by id or in bulk by filter; who and why are recorded.",
        "The letter, its event snapshot and its attempts stay. One already replayed or resolved is refused."})
    static final class Resolve implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "<id>", arity = "0..*", description = "Dead letter ids; without ids, --route/--event-type/... select the open ones.")
        List<Long> ids;

        @Mixin
        FilterOptions filter;

        @Option(names = "--reason-code", description = "Reason code, e.g. permanent_failure.")
        String reasonCode;

        @Option(names = "--limit", defaultValue = "1000", description = "At most this many in this run (default ${DEFAULT-VALUE}); run again to continue.")
        int limit;

        @Option(names = "--actor", required = true, description = "Who resolves (recorded as resolved_by).")
        String actor;

        @Option(names = "--reason", required = true, description = "Why no delivery is needed (recorded with the letter).")
        String reason;

        @Option(names = "--dry-run", description = "Show what would be resolved; change nothing.")
        boolean dryRun;

        @Mixin
        JsonOption json;

        private final CommandContext context;

        Resolve(CommandContext context) {
            this.context = context;
        }

        @Override
        public Integer call() throws SQLException {
            DeadLetters.Filter selection = filter.filter(reasonCode);
            FilterOptions.requireSelection(spec, ids, selection, "--reason-code", "");
            if (ids != null && !ids.isEmpty() && !selection.isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "give dead letter ids or a filter, not both");
            }
            if (reason.isBlank() || reason.length() > 2000) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--reason must say why, in at most 2000 characters");
            }
            List<DeadLetterResolution.Outcome> outcomes = new DeadLetterResolution(context.database().runtime())
                    .resolve(ids, selection, actor, reason, dryRun, limit);
            long resolved = outcomes.stream().filter(DeadLetterResolution.Outcome::resolved).count();
            if (!dryRun) {
                context.invocation().rowDelta("iu_route_dead_letter resolved", resolved);
            }
            if (json.enabled()) {
                Output.printJson(context.out(), Map.of("dry_run", dryRun, "resolved", resolved,
                        "refused", outcomes.size() - resolved, "outcomes", outcomes));
            } else {
                Output.printTable(context.out(), List.of("DEAD LETTER", "OUTCOME", "DETAIL"),
                        outcomes.stream().map(o -> List.of(Long.toString(o.deadLetterId()),
                                o.resolved() ? (dryRun ? "would resolve" : "resolved") : "refused",
                                o.resolved() ? reason : o.detail())).toList());
                context.out().printf("%s%d resolved, %d refused%n", dryRun ? "dry run: " : "", resolved,
                        outcomes.size() - resolved);
            }
            if (resolved < outcomes.size()) {
                throw CommandFailure.refused((outcomes.size() - resolved) + " of " + outcomes.size()
                        + " dead letter(s) not resolved: " + outcomes.stream().filter(o -> !o.resolved())
                        .map(o -> o.deadLetterId() + " " + o.detail()).findFirst().orElseThrow()
                        + (outcomes.size() - resolved > 1 ? "; the table above lists every one" : ""));
            }
            return ExitCode.OK;
        }
    }
}
