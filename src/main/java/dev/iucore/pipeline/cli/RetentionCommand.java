package dev.iucore.pipeline.cli;

import dev.iucore.pipeline.retention.RetentionProgress;
import dev.iucore.pipeline.retention.RetentionReport;
import dev.iucore.pipeline.retention.RetentionRunner;
import dev.iucore.pipeline.retention.TargetResult;
import dev.iucore.pipeline.verify.BatchEvidence;
import dev.iucore.pipeline.verify.MatrixRecorder;
import java.io.IOException;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
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

    @Mixin
    EvidenceOptions evidenceOptions;

    @Mixin
    JsonOption json;

    private final CommandContext context;

    RetentionCommand(CommandContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws SQLException, IOException {
        if (actor.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--actor must name who runs it, not be blank");
        }
        BatchEvidence evidence = evidenceOptions.recorder(context, spec);
        BatchEvidence.Run run = evidence == null ? null : evidence.start("retention", actor,
                EvidenceOptions.arguments(context, Map.of("actor", actor, "dry_run", mode.dryRun,
                        "backup", evidenceOptions.backup)), mode.dryRun, null);
        RetentionReport report;
        try (TargetProgress bars = new TargetProgress(context, evidence, run)) {
            report = new RetentionRunner(context.database().runtime()).run(actor, mode.dryRun, bars);
        } catch (SQLException | RuntimeException e) {
            if (run != null) {
                evidence.finish(run, "failed", Errors.describe(e), Map.of());
            }
            throw e;
        }
        BatchEvidence.Finished finished = run == null ? null : evidence.finish(run,
                report.refused() ? "refused" : report.problem().isPresent() ? "failed" : "ok",
                report.refusal().or(report::problem).orElse(report.summary()), summary(report));
        context.invocation().rowDelta(RUN_TABLE, report.targets().size());
        report.targets().forEach(t -> context.invocation().rowDelta(t.target(), -t.rowsDeleted()));
        if (finished != null) {
            context.invocation().rowDelta("iu_core_batch_run", 1);
            context.invocation().rowDelta("iu_core_matrix_snapshot", 2);
            context.invocation().rowDelta("iu_core_matrix_count", 2L * MatrixRecorder.SURFACES.size());
        }
        print(report, finished);
        report.refusal().ifPresent(refusal -> {
            throw CommandFailure.refused(refusal);
        });
        report.problem().ifPresent(problem -> {
            throw CommandFailure.failed("retention run " + report.runId() + " did not finish: " + problem);
        });
        return ExitCode.OK;
    }

    /**
     * One progress bar per target while it deletes (on a terminal only, see {@link Progress}), and
     * the rows deleted of all eligible in the batch run's row, for whoever follows the run.
     */
    private static final class TargetProgress implements RetentionProgress, AutoCloseable {
        private final CommandContext context;
        private final BatchEvidence evidence;
        private final BatchEvidence.Run run;
        private Progress bar;
        private long shown;
        private long eligible;
        private long deletedBefore;

        /** @param run null: no run recorded, only the bars */
        TargetProgress(CommandContext context, BatchEvidence evidence, BatchEvidence.Run run) {
            this.context = context;
            this.evidence = evidence;
            this.run = run;
        }

        @Override
        public void deleting(long eligible) {
            this.eligible = eligible;
            record(null, 0);
        }

        @Override
        public void targetStarted(String target, long eligible) {
            if (bar != null) {
                bar.close();
            }
            bar = Progress.start(context, "retention " + target, eligible);
            deletedBefore += shown;
            shown = 0;
            record(target, deletedBefore);
        }

        @Override
        public void batchDeleted(String target, long deleted, long eligible) {
            bar.stepBy(deleted - shown);
            shown = deleted;
            record(target, deletedBefore + deleted);
            if (deleted >= eligible) {
                close();
            }
        }

        private void record(String target, long deleted) {
            if (run != null) {
                evidence.progress(run, target, "rows", deleted, eligible);
            }
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
                bar = null;
            }
        }
    }

    /** The run row's summary: rows deleted per target (negative, as a row delta) and the retention run. */
    private static Map<String, Object> summary(RetentionReport report) {
        Map<String, Long> deleted = new LinkedHashMap<>();
        Map<String, Long> eligible = new LinkedHashMap<>();
        report.targets().forEach(t -> {
            deleted.put(t.target(), -t.rowsDeleted());
            eligible.put(t.target(), t.rowsEligible());
        });
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("retention_run_id", report.runId().toString());
        summary.put("rows_deleted", deleted);
        summary.put("rows_eligible", eligible);
        summary.put("text", report.summary());
        return summary;
    }

    private void print(RetentionReport report, BatchEvidence.Finished finished) {
        if (json.enabled()) {
            if (finished == null) {
                Output.printJson(context.out(), report);
            } else {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("run_id", report.runId());
                result.put("dry_run", report.dryRun());
                result.put("targets", report.targets());
                result.put("evidence_run_id", finished.run().runId());
                Output.printJson(context.out(), result);
            }
            return;
        }
        Output.printTable(context.out(), List.of("TARGET", "ELIGIBLE", "DELETED", "DRY RUN", "STATUS", "BATCHES", "NOTE"),
                report.targets().stream().map(RetentionCommand::row).toList());
        String by = report.targets().stream().map(t -> t.actor() + " (database user " + t.dbUser() + ")").distinct()
                .collect(Collectors.joining(", "));
        context.out().printf("run %s%s by %s: %d rows deleted%n", report.runId(), report.dryRun() ? " (dry run)" : "",
                by, report.rowsDeleted());
        if (finished != null) {
            EvidenceOptions.describe(finished).forEach(context.out()::println);
        }
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
