package dev.iucore.pipeline.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code iu-core evidence <run-id>}. */
@Command(name = "evidence", description = "A Markdown (or JSON) report of one batch run for a change record.")
final class EvidenceCommand extends NotYetImplemented {

    @Parameters(paramLabel = "<run-id>")
    String runId;

    @Mixin
    JsonOption json;

    EvidenceCommand() {
        super(5);
    }
}
