package dev.iucore.pipeline.cli;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code iu-core retention --dry-run|--apply --actor X}. */
@Command(name = "retention", description = "Run the retention policies once: a dry-run counts, --apply deletes (gate retention_enabled).")
final class RetentionCommand extends NotYetImplemented {

    @ArgGroup(exclusive = true, multiplicity = "1")
    Mode mode;

    @Option(names = "--actor", required = true, description = "Who runs it (recorded with every run row).")
    String actor;

    @Option(names = "--evidence", description = "Record a matrix snapshot before and after.")
    boolean evidence;

    @Mixin
    JsonOption json;

    RetentionCommand() {
        super(4);
    }

    static final class Mode {
        @Option(names = "--dry-run", required = true, description = "Count what would be deleted; delete nothing.")
        boolean dryRun;

        @Option(names = "--apply", required = true, description = "Delete, in bounded batches.")
        boolean apply;
    }
}
