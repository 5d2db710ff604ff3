package dev.iucore.pipeline.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code iu-core rollback --actor X [--dry-run]}. */
@Command(name = "rollback", description = "Remove exactly what one actor created, in one transaction.")
final class RollbackCommand extends NotYetImplemented {

    @Option(names = "--actor", required = true, description = "The actor whose rows are removed.")
    String actor;

    @Option(names = "--dry-run", description = "Count per table; delete nothing.")
    boolean dryRun;

    @Mixin
    JsonOption json;

    RollbackCommand() {
        super(4);
    }
}
