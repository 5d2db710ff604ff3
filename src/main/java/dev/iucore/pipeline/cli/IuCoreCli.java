package dev.iucore.pipeline.cli;

import dev.iucore.pipeline.config.Settings;
import java.io.PrintStream;
import java.io.PrintWriter;
import picocli.CommandLine;

/** Builds the {@code iu-core} command line and runs one invocation; testable with any streams. */
public final class IuCoreCli {

    private IuCoreCli() {
    }

    public static int execute(Settings settings, PrintStream out, PrintStream err, String... args) {
        Logging.command();
        try (CommandContext context = new CommandContext(settings, out, err)) {
            // `run` is the default command
            return commandLine(context).execute(args.length == 0 ? new String[] {"run"} : args);
        }
    }

    public static CommandLine commandLine(CommandContext context) {
        CommandLine cli = new CommandLine(new IuCoreCommand(), new ContextFactory(context));
        addHelpOptions(cli);
        cli.setOut(new PrintWriter(context.out(), true));
        cli.setErr(new PrintWriter(context.err(), true));
        cli.setExecutionStrategy(new AuditedExecution(context));
        return cli;
    }

    /** Every command, not only the top one, answers --help. */
    private static void addHelpOptions(CommandLine command) {
        command.getCommandSpec().mixinStandardHelpOptions(true);
        command.getSubcommands().values().forEach(IuCoreCli::addHelpOptions);
    }

    /** Hands every command the invocation's context through its constructor. */
    private record ContextFactory(CommandContext context) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            try {
                return type.getDeclaredConstructor(CommandContext.class).newInstance(context);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(type);
            }
        }
    }
}
