package dev.iucore.pipeline.cli;

import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code iu-core backup [--label L]} and {@code iu-core backup verify <file>}. */
@Command(name = "backup", description = "pg_dump the database to the backups directory with size and SHA-256.",
        subcommands = BackupCommand.Verify.class)
final class BackupCommand extends NotYetImplemented {

    @Option(names = "--label", description = "A label in the file name, e.g. pre-scaleout.")
    String label;

    @Mixin
    JsonOption json;

    BackupCommand() {
        super(5);
    }

    @Command(name = "verify", description = "Re-check a backup's SHA-256 and list it with pg_restore -l.")
    static final class Verify extends NotYetImplemented {
        @Parameters(paramLabel = "<file>")
        Path file;

        @Mixin
        JsonOption json;

        Verify() {
            super(5);
        }
    }
}
