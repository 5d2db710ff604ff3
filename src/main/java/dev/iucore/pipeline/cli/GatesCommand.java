package dev.iucore.pipeline.cli;

import dev.iucore.pipeline.gates.Gate;
import dev.iucore.pipeline.gates.GateChange;
import dev.iucore.pipeline.gates.GateService;
import dev.iucore.pipeline.gates.GateState;
import java.sql.SQLException;
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

/** {@code iu-core gates list|open|close}. */
@Command(name = "gates", description = "Show and change the write gates (every change audited).",
        subcommands = {GatesCommand.ListGates.class, GatesCommand.OpenGate.class, GatesCommand.CloseGate.class})
final class GatesCommand {

    @Command(name = "list", description = "Show every gate, its value and whether it reads open.")
    static final class ListGates implements Callable<Integer> {

        @Mixin
        JsonOption json;

        private final CommandContext context;

        ListGates(CommandContext context) {
            this.context = context;
        }

        @Override
        public Integer call() throws SQLException {
            List<GateState> gates = new GateService(context.database().runtime()).list();
            if (json.enabled()) {
                Output.printJson(context.out(), Map.of("gates", gates));
            } else {
                Output.printTable(context.out(), List.of("GATE", "OPEN", "VALUE", "UPDATED", "BY"),
                        gates.stream().map(g -> List.of(g.name(), g.open() ? "open" : "closed",
                                g.value() == null ? "(null)" : g.value(), String.valueOf(g.updatedAt()),
                                g.updatedBy())).toList());
            }
            return ExitCode.OK;
        }
    }

    /** Shared by open and close: the gate, who and why. */
    abstract static class ChangeGate implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "<gate>", converter = GateConverter.class,
                description = "One of: ${COMPLETION-CANDIDATES}", completionCandidates = GateNames.class)
        Gate gate;

        @Option(names = "--actor", required = true, description = "Who changes the gate (audited).")
        String actor;

        @Option(names = "--reason", required = true, description = "Why (audited).")
        String reason;

        @Mixin
        JsonOption json;

        private final CommandContext context;

        ChangeGate(CommandContext context) {
            this.context = context;
        }

        abstract String newValue();

        @Override
        public Integer call() throws SQLException {
            GateChange change = new GateService(context.database().runtime()).set(gate, newValue(), actor, reason);
            context.invocation().rowDelta("iu_core_gate_audit",
                    java.util.Objects.equals(change.oldValue(), change.newValue()) ? 0 : 1);
            if (json.enabled()) {
                Output.printJson(context.out(), change);
            } else {
                context.out().printf("gate %s: %s -> %s (%s)%n", change.gate(), display(change.oldValue()),
                        display(change.newValue()), change.open() ? "open" : "closed");
            }
            return ExitCode.OK;
        }

        CommandLine commandLine() {
            return spec.commandLine();
        }

        private static String display(String value) {
            return value == null ? "(null)" : value.isEmpty() ? "''" : value;
        }
    }

    @Command(name = "open", description = "Open a gate. A list gate (delivery_live_routes) takes --value.")
    static final class OpenGate extends ChangeGate {

        @Option(names = "--value", paramLabel = "<route,...>",
                description = "For delivery_live_routes: the comma list of route keys allowed to deliver.")
        String value;

        OpenGate(CommandContext context) {
            super(context);
        }

        @Override
        String newValue() {
            if (gate.isList()) {
                if (value == null || value.isBlank()) {
                    throw new CommandLine.ParameterException(commandLine(),
                            "gate " + gate.sqlName() + " is a list: give --value <route-key,...>");
                }
                return value;
            }
            if (value != null) {
                throw new CommandLine.ParameterException(commandLine(),
                        "gate " + gate.sqlName() + " is true/false and takes no --value");
            }
            return "true";
        }
    }

    @Command(name = "close", description = "Close a gate (a list gate is emptied).")
    static final class CloseGate extends ChangeGate {

        CloseGate(CommandContext context) {
            super(context);
        }

        @Override
        String newValue() {
            return gate.isList() ? "" : "false";
        }
    }

    /** Completion candidates and help text: the gate names. */
    static final class GateNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return java.util.Arrays.stream(Gate.values()).map(Gate::sqlName).iterator();
        }
    }
}
