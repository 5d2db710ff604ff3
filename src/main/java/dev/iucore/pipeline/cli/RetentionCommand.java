package dev.iucore.pipeline.cli;

import dev.iucore.pipeline.retention.RetentionProgress;
import dev.iucore.pipeline.retention.RetentionReport;
import dev.iucore.pipeline.retention.RetentionRunner;
import dev.iucore.pipeline.retention.TargetResult;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code iu-core retention --dry-run|--apply --actor X}: the retention policies, once. */
@Command(name = "retention", description = "Run the retention policies once: a dry-run counts, --apply deletes (gate retention_enabled).")
final class RetentionCommand implements Callable<Integer> {

    static final String RUN_TABLE = "iu_core_retention_run";

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Mode mode;

    @Option(names = "--actor", required = true, description = "Who runs it (recorded with every run row).")
    String actor;

    // Declared for the evidence issue (#5), which wires the before/after matrix snapshots; ignored until then.
    @Option(names = "--evidence", description = "Record a matrix snapshot before and after.")
    boolean evidence;

    @Mixin
    JsonOption json;

    private final CommandContext context;

    RetentionCommand(CommandContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws SQLException {
        if (actor.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--actor must name who runs it, not be blank");
        }
        RetentionReport report = new RetentionRunner(context.database().runtime()).run(actor, mode.dryRun, progressDisplay());
        context.invocation().rowDelta(RUN_TABLE, report.targets().size());
        report.targets().forEach(t -> context.invocation().rowDelta(t.target(), -t.rowsDeleted()));
        print(report);
        report.refusal().ifPresent(refusal -> {
            throw CommandFailure.refused(refusal);
        });
        report.problem().ifPresent(problem -> {
            throw CommandFailure.failed("retention run " + report.runId() + " did not finish: " + problem);
        });
        return ExitCode.OK;
    }

    /**
     * The progress display hook: the progress-bar library (added separately) implements
     * {@link RetentionProgress} here; until then a run shows its table when it ends.
     */
    private RetentionProgress progressDisplay() {
        return RetentionProgress.NONE;
    }

    private void print(RetentionReport report) {
        if (json.enabled()) {
            Output.printJson(context.out(), report);
            return;
        }
        Output.printTable(context.out(), List.of("TARGET", "ELIGIBLE", "DELETED", "DRY RUN", "STATUS", "BATCHES", "NOTE"),
                report.targets().stream().map(RetentionCommand::row).toList());
        context.out().printf("run %s%s: %d rows deleted%n", report.runId(), report.dryRun() ? " (dry run)" : "",
                report.rowsDeleted());
    }

    private static List<String> row(TargetResult t) {
        return List.of(t.target(), Long.toString(t.rowsEligible()), Long.toString(t.rowsDeleted()),
                t.dryRun() ? "yes" : "no", t.status(), Integer.toString(t.batches()),
                t.message() == null ? "" : t.message());
    }

    static final class Mode {
        @Option(names = "--dry-run", required = true, description = "Count what would be deleted; delete nothing.")
        boolean dryRun;

        @Option(names = "--apply", required = true, description = "Delete, in bounded batches.")
        boolean apply;
    }
}
