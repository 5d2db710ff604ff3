package dev.iucore.pipeline.cli;

import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code iu-core matrix snapshot|diff}. */
@Command(name = "matrix", description = "Before/after row counts of the watched tables.",
        subcommands = {MatrixCommand.Snapshot.class, MatrixCommand.Diff.class})
final class MatrixCommand {

    @Command(name = "snapshot", description = "Record row counts and gate states under a label.")
    static final class Snapshot extends NotYetImplemented {
        @Option(names = "--label", required = true)
        String label;

        @Mixin
        JsonOption json;

        Snapshot() {
            super(5);
        }
    }

    @Command(name = "diff", description = "Compare two snapshots; exit 1 on any unexpected delta.")
    static final class Diff extends NotYetImplemented {
        @Parameters(index = "0", paramLabel = "<before>")
        String before;

        @Parameters(index = "1", paramLabel = "<after>")
        String after;

        @Option(names = "--expect", split = ",", paramLabel = "<table=+N>", description = "Expected deltas, e.g. iu_piece_collection=+20.")
        List<String> expected;

        @Mixin
        JsonOption json;

        Diff() {
            super(5);
        }
    }
}
