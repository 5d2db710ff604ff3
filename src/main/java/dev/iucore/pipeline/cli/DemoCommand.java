package dev.iucore.pipeline.cli;

import dev.iucore.pipeline.demo.DemoDataLoader;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code iu-core demo load|run}. */
@Command(name = "demo", description = "The demo data set and a guided demo of the relay.",
        subcommands = {DemoCommand.Load.class, DemoCommand.Run.class})
final class DemoCommand {

    @Command(name = "load", description = "Load the demo templates and information units (idempotent).")
    static final class Load implements Callable<Integer> {

        @Mixin
        JsonOption json;

        private final CommandContext context;

        Load(CommandContext context) {
            this.context = context;
        }

        @Override
        public Integer call() throws SQLException {
            Map<String, Long> added = new DemoDataLoader(context.database().runtime()).load();
            added.forEach(context.invocation()::rowDelta);
            if (json.enabled()) {
                Output.printJson(context.out(), Map.of("added", added));
            } else {
                Output.printTable(context.out(), List.of("TABLE", "ADDED"),
                        added.entrySet().stream().map(e -> List.of(e.getKey(), Long.toString(e.getValue()))).toList());
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "run", description = "Run the service with demo routes to a local target and show events flowing.")
    static final class Run extends NotYetImplemented {
        Run() {
            super(3);
        }
    }
}
