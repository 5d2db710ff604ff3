package dev.iucore.pipeline.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code iu-core log}. */
@Command(name = "log", description = "List recorded command invocations, newest first.")
final class LogCommand extends NotYetImplemented {

    @Option(names = "--limit", defaultValue = "50", description = "At most this many (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--command", description = "Only this command, e.g. \"gates open\".")
    String command;

    @Mixin
    JsonOption json;

    LogCommand() {
        super(5);
    }
}
