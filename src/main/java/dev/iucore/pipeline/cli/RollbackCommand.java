package dev.iucore.pipeline.cli;

import dev.iucore.pipeline.scaleout.ActorRollback;
import dev.iucore.pipeline.scaleout.RollbackReport;
import dev.iucore.pipeline.scaleout.ScaleoutException;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code iu-core rollback --actor X [--dry-run]}. */
@Command(name = "rollback", description = {
    "Remove exactly what one actor's compositions created (collections, memberships, lineage, the",
    "auto-instantiate log, outbox events never delivered with their deliveries and attempts), in one",
    "transaction. An event delivered or in flight is kept with its deliveries and attempts; dead",
    "letters, audit and evidence records stay. Refused when another actor's rows depend on them."})
final class RollbackCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--actor", required = true, description = "The actor whose rows are removed.")
    String actor;

    @Option(names = "--dry-run", description = "Count per table and name each event's fate; delete nothing.")
    boolean dryRun;

    @Mixin
    JsonOption json;

    private final CommandContext context;

    RollbackCommand(CommandContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws SQLException {
        if (actor.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--actor must name whose rows to remove, not be blank");
        }
        RollbackReport report;
        try {
            report = new ActorRollback(context.database().runtime()).run(actor, dryRun);
        } catch (ScaleoutException e) {
            throw e.isRefused() ? CommandFailure.refused(e.getMessage()) : CommandFailure.failed(e.getMessage());
        }
        if (!dryRun) {
            report.tables().stream().filter(RollbackReport.TableRows::removed)
                    .forEach(t -> context.invocation().rowDelta(t.table(), -t.rows()));
        }
        if (json.enabled()) {
            Output.printJson(context.out(), report);
            return ExitCode.OK;
        }
        Output.printTable(context.out(), List.of("TABLE", "ROWS", "EFFECT"), report.tables().stream()
                .map(t -> List.of(t.table(), Long.toString(t.rows()), dryRun && t.removed() ? "would be " + t.effect()
                        : t.effect())).toList());
        // a dry run names every event's fate; an apply the events it kept (the others are gone)
        List<RollbackReport.EventFate> shown = report.events().stream().filter(e -> dryRun || e.kept()).toList();
        if (!shown.isEmpty()) {
            context.out().println();
            Output.printTable(context.out(), List.of("EVENT", "TYPE", "STATUS", "FATE", "WHY"), shown.stream()
                    .map(e -> List.of(e.eventId().toString(), e.eventType(), e.status(),
                            e.kept() ? "kept" : dryRun ? "would be deleted" : "deleted", e.reason())).toList());
        }
        context.out().println();
        if (report.rowsRemoved() == 0) {
            context.out().println("actor " + actor + ": nothing to remove");
        } else {
            context.out().println("actor " + actor + ": " + report.rowsRemoved() + " rows "
                    + (dryRun ? "would be removed (dry run: nothing was deleted)" : "removed in one transaction"));
        }
        return ExitCode.OK;
    }
}
