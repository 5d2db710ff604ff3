package dev.iucore.pipeline.cli;

import dev.iucore.pipeline.config.Setting;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * Runs the chosen command and records the invocation in {@code iu_command_log} under its catalog
 * name ({@code gates open}), whatever the outcome. Failures become a one-line message and an exit
 * code; a stack trace with {@code --verbose}, or when the failure has no message to give (an internal error).
 */
final class AuditedExecution implements CommandLine.IExecutionStrategy {

    private final CommandContext context;

    AuditedExecution(CommandContext context) {
        this.context = context;
    }

    @Override
    public int execute(ParseResult parseResult) throws CommandLine.ExecutionException, CommandLine.ParameterException {
        Integer help = CommandLine.executeHelpRequest(parseResult);
        if (help != null) {
            return help;
        }
        ParseResult leaf = parseResult;
        while (leaf.hasSubcommand()) {
            leaf = leaf.subcommand();
        }
        if (!leaf.commandSpec().subcommands().isEmpty() && !isRunnable(leaf)) {
            throw new CommandLine.ParameterException(leaf.commandSpec().commandLine(),
                    "`" + catalogName(leaf) + "` needs a subcommand: "
                            + String.join(", ", leaf.commandSpec().subcommands().keySet()));
        }
        Invocation invocation = new Invocation(catalogName(leaf), actor(leaf), arguments(parseResult),
                leaf.hasMatchedOption("--dry-run"), leaf.hasMatchedOption("--json"), context.node());
        context.begin(invocation);
        int exit;
        try {
            exit = new CommandLine.RunLast().execute(parseResult);
            invocation.finish(exit == ExitCode.OK ? Outcome.OK : Outcome.FAILED, exit, null);
        } catch (CommandLine.ParameterException e) {
            throw e;
        } catch (CommandLine.ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            exit = ExitCode.FAILED;
            String message = Errors.describe(cause);
            Outcome outcome = Outcome.ERROR;
            if (cause instanceof CommandFailure failure) {
                outcome = failure.outcome();
                invocation.problem(failure.problem());
            }
            context.err().println("iu-core " + invocation.commandName() + ": " + message);
            if (Logging.isVerbose() || Errors.isUnexplained(cause)) {
                cause.printStackTrace(context.err());
            }
            invocation.finish(outcome, exit, message);
        }
        record(invocation);
        return exit;
    }

    private void record(Invocation invocation) {
        if (invocation.outcome() == Outcome.ERROR && Errors.isUnreachable(invocation.message())) {
            context.err().println("iu-core: warning: `" + invocation.commandName()
                    + "` is not recorded in iu_command_log: the database cannot be reached");
            return;
        }
        try {
            new CommandLog(context.database().runtime(), context.err()).finish(invocation);
        } catch (RuntimeException e) {
            context.err().println("iu-core: warning: could not record `" + invocation.commandName()
                    + "` in iu_command_log: " + Errors.describe(e));
        }
    }

    private static boolean isRunnable(ParseResult result) {
        Object command = result.commandSpec().userObject();
        return command instanceof Runnable || command instanceof java.util.concurrent.Callable;
    }

    /** The catalog name: the command path without the program name, e.g. {@code dead-letters replay}. */
    static String catalogName(ParseResult leaf) {
        return catalogName(leaf.commandSpec());
    }

    static String catalogName(CommandLine.Model.CommandSpec spec) {
        String qualified = spec.qualifiedName(" ");
        int space = qualified.indexOf(' ');
        return space < 0 ? qualified : qualified.substring(space + 1);
    }

    private String actor(ParseResult leaf) {
        String given = leaf.matchedOptionValue("--actor", null);
        if (given != null && !given.isBlank()) {
            return given;
        }
        return context.settings().optional(Setting.ACTOR).orElse(System.getProperty("user.name", "unknown"));
    }

    private static List<String> arguments(ParseResult root) {
        return new ArrayList<>(root.originalArgs());
    }
}
