package dev.iucore.pipeline.cli;

import dev.iucore.pipeline.control.EventTypeWrites;
import dev.iucore.pipeline.control.EventTypeWrites.EventType;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code iu-core event-types register|set}: the registry changed through the audited functions of migration V090. */
@Command(name = "event-types", description = "Register and change event types (every change audited).",
        subcommands = {EventTypesCommand.Register.class, EventTypesCommand.Change.class})
final class EventTypesCommand {

    /** Shared by register and set: the type, who and why, a dry run, and how the answer is printed. */
    abstract static class WriteType implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "<event-type>", description = "e.g. iu.invoice.created")
        String eventType;

        @Mixin
        ControlWrites.Audit audit;

        @Option(names = "--dry-run", description = "Check everything a real run checks; write nothing.")
        boolean dryRun;

        @Mixin
        JsonOption json;

        private final CommandContext context;
        private final String verb;

        /** {@code verb}: what the command does, as its answer says it ({@code registered}). */
        WriteType(CommandContext context, String verb) {
            this.context = context;
            this.verb = verb;
        }

        abstract EventType write(EventTypeWrites types) throws SQLException;

        @Override
        public Integer call() throws SQLException {
            EventTypeWrites types = new EventTypeWrites(context.database().runtime());
            EventType type = ControlWrites.run(() -> write(types));
            ControlWrites.report(context, json, dryRun, "event_type", type, String.format("event type %s %s: lane %s%s",
                    type.eventType(), ControlWrites.done(verb, dryRun), type.deliveryLane(),
                    type.internalOnly() ? ", internal only" : ""));
            return ExitCode.OK;
        }
    }

    @Command(name = "register", description = "Register an event type: its lane, what it means, internal only or not (audited).")
    static final class Register extends WriteType {

        @Option(names = "--lane", required = true, paramLabel = "<live|delayed>",
                description = "live: delivered as dispatched; delayed: held for the delayed-lane batch.")
        String lane;

        @Option(names = "--description", required = true, paramLabel = "<text>", description = "What the event says happened.")
        String description;

        @Option(names = "--internal-only", description = "No route may ever carry it (layer 1 of the boundary).")
        boolean internalOnly;

        Register(CommandContext context) {
            super(context, "registered");
        }

        @Override
        EventType write(EventTypeWrites types) throws SQLException {
            return types.register(eventType, lane, description, internalOnly, audit.actor, audit.reason, dryRun);
        }
    }

    @Command(name = "set", description = {
        "Change an event type's lane, description or internal-only mark (audited): only the options given.",
        "A type with routes cannot be marked internal-only (remove its routes first)."})
    static final class Change extends WriteType {

        @Option(names = "--lane", paramLabel = "<live|delayed>", description = "live or delayed.")
        String lane;

        @Option(names = "--description", paramLabel = "<text>", description = "What the event says happened.")
        String description;

        @Option(names = "--internal-only", arity = "1", paramLabel = "<true|false>",
                description = "Whether no route may carry it.")
        Boolean internalOnly;

        Change(CommandContext context) {
            super(context, "changed");
        }

        @Override
        EventType write(EventTypeWrites types) throws SQLException {
            return types.change(eventType, lane, description, internalOnly, audit.actor, audit.reason, dryRun);
        }
    }
}
