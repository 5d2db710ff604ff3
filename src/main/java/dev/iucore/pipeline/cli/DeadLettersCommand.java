package dev.iucore.pipeline.cli;

import java.time.OffsetDateTime;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code iu-core dead-letters list|show|replay}. */
@Command(name = "dead-letters", description = "Inspect and replay what the relay could not deliver.",
        subcommands = {DeadLettersCommand.ListDeadLetters.class, DeadLettersCommand.Show.class,
            DeadLettersCommand.Replay.class})
final class DeadLettersCommand {

    /** The filters list and replay share. */
    static final class Filter {
        @Option(names = "--route", description = "Route key.")
        String route;

        @Option(names = "--event-type", description = "Event type.")
        String eventType;

        @Option(names = "--reason", description = "Reason code, e.g. attempts_exhausted.")
        String reason;

        @Option(names = "--since", description = "Dead at or after (ISO-8601).")
        OffsetDateTime since;

        @Option(names = "--until", description = "Dead before (ISO-8601).")
        OffsetDateTime until;
    }

    @Command(name = "list", description = "List dead letters, newest first.")
    static final class ListDeadLetters extends NotYetImplemented {
        @Mixin
        Filter filter;

        @Option(names = "--limit", defaultValue = "50", description = "At most this many (default ${DEFAULT-VALUE}).")
        int limit;

        @Mixin
        JsonOption json;

        ListDeadLetters() {
            super(3);
        }
    }

    @Command(name = "show", description = "Show one dead letter with its event and attempts.")
    static final class Show extends NotYetImplemented {
        @Parameters(paramLabel = "<id>")
        long id;

        @Mixin
        JsonOption json;

        Show() {
            super(3);
        }
    }

    @Command(name = "replay", description = "Replay dead letters by id or by filter as fresh deliveries (gate dead_letter_replay_enabled).")
    static final class Replay extends NotYetImplemented {
        @Parameters(paramLabel = "<id>", arity = "0..*")
        List<Long> ids;

        @Mixin
        Filter filter;

        @Option(names = "--actor", required = true, description = "Who replays (audited).")
        String actor;

        @Option(names = "--dry-run", description = "Show what would be replayed.")
        boolean dryRun;

        @Mixin
        JsonOption json;

        Replay() {
            super(3);
        }
    }
}
