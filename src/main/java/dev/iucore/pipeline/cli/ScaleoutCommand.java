package dev.iucore.pipeline.cli;

import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code iu-core scaleout --n 20 --templates a/v1,b/v2 --actor X [--dry-run]}. */
@Command(name = "scaleout", description = "Instantiate N collections from a template mix as one idempotent, actor-tagged batch.")
final class ScaleoutCommand extends NotYetImplemented {

    @Option(names = "--n", required = true, description = "How many instances.")
    int count;

    @Option(names = "--templates", required = true, split = ",", paramLabel = "<template/vN>",
            description = "Template versions to cycle through, e.g. tpl:file:status-report/v1,tpl:wf:onboarding/v2.")
    List<String> templates;

    @Option(names = "--actor", required = true, description = "Tags everything the batch creates (rollback uses it).")
    String actor;

    @Option(names = "--dry-run", description = "Plan the batch; create nothing.")
    boolean dryRun;

    @Option(names = "--evidence", description = "Record a matrix snapshot before and after.")
    boolean evidence;

    @Mixin
    JsonOption json;

    ScaleoutCommand() {
        super(4);
    }
}
