package dev.iucore.pipeline.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code iu-core}: the one command line of DESIGN §8. */
@Command(name = "iu-core",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "IU Core event pipeline: relays outbox events through gates, the event-type registry and the route",
            "table; runs retention and scaleout batches; gives operators evidence. Without a command: run.",
            "Exit codes: 0 ok, 1 check failed or refused, 2 usage error."},
        subcommands = {
            RunCommand.class,
            MigrateCommand.class,
            GatesCommand.class,
            RoutesCommand.class,
            RetentionCommand.class,
            ScaleoutCommand.class,
            RollbackCommand.class,
            DeadLettersCommand.class,
            DeliveriesCommand.class,
            VerifyCommand.class,
            MatrixCommand.class,
            BackupCommand.class,
            DemoCommand.class,
            EvidenceCommand.class,
            LogCommand.class,
            ConsoleCommand.class,
            EventTypesCommand.class})
public final class IuCoreCommand {

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Log at INFO (DEBUG with -vv) and show stack traces of failures.")
    void verbose(boolean[] verbosity) {
        Logging.verbose(verbosity.length);
    }
}
