package dev.iucore.pipeline.cli;

import dev.iucore.pipeline.scaleout.ScaleoutBatch;
import dev.iucore.pipeline.scaleout.ScaleoutException;
import dev.iucore.pipeline.scaleout.ScaleoutReport;
import dev.iucore.pipeline.scaleout.ScaleoutRunner;
import dev.iucore.pipeline.scaleout.TemplateVersion;
import dev.iucore.pipeline.verify.BatchEvidence;
import dev.iucore.pipeline.verify.MatrixRecorder;
import java.io.IOException;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.LongConsumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code iu-core scaleout --n 20 --templates a/v1,b/v2 --actor X [--dry-run]}. */
@Command(name = "scaleout", description = {
    "Instantiate N collections from a template mix as one idempotent, actor-tagged batch, in one",
    "transaction (gate scaleout_enabled). The same batch run again composes nothing: a batch is",
    "named by --batch-id, or else by --n and --templates, together with --actor."})
final class ScaleoutCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--n", required = true, description = "How many instances.")
    int count;

    @Option(names = "--templates", required = true, split = ",", paramLabel = "<template/vN>",
            description = "Template versions to cycle through, e.g. tpl:file:status-report/v1,tpl:wf:onboarding/v2.")
    List<String> templates;

    @Option(names = "--actor", required = true, description = "Tags everything the batch creates (rollback uses it).")
    String actor;

    @Option(names = "--batch-id", paramLabel = "<name>", description = {
        "Names the batch, e.g. change-4711: the same name (and actor) is the same batch, and a larger",
        "--n adds only the new instances. Default: named by --n and --templates."})
    String batchName;

    @Option(names = "--dry-run", description = "Plan the batch; create nothing.")
    boolean dryRun;

    @Mixin
    EvidenceOptions evidenceOptions;

    @Mixin
    JsonOption json;

    private final CommandContext context;

    ScaleoutCommand(CommandContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws SQLException, IOException {
        ScaleoutBatch batch;
        try {
            batch = ScaleoutBatch.of(actor, count, templates.stream().map(TemplateVersion::parse).toList(), batchName);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        BatchEvidence evidence = evidenceOptions.recorder(context, spec);
        ScaleoutRunner runner = new ScaleoutRunner(context.database().runtime());
        try {
            // unknown templates and a closed gate stop it here, before any evidence is written
            runner.check(batch, dryRun);
        } catch (ScaleoutException e) {
            throw failure(e);
        }
        BatchEvidence.Run run = evidence == null ? null
                : evidence.start("scaleout", actor, EvidenceOptions.arguments(context, arguments(batch)), dryRun, actor);
        ScaleoutReport report;
        try {
            report = dryRun ? runner.preview(batch) : compose(runner, batch, evidence, run);
        } catch (ScaleoutException e) {
            finishUnsuccessful(evidence, run, e.isRefused() ? "refused" : "failed", e, batch);
            throw failure(e);
        } catch (SQLException | RuntimeException e) {
            finishUnsuccessful(evidence, run, "failed", e, batch);
            throw e;
        }
        BatchEvidence.Finished finished = run == null ? null
                : evidence.finish(run, "ok", report.summary(), report.evidenceSummary());
        if (!dryRun) {
            report.rowsAdded().forEach(context.invocation()::rowDelta);
        }
        if (finished != null) {
            recordEvidenceRows(1);
        }
        print(report, finished);
        return ExitCode.OK;
    }

    /** A run that did not succeed is evidence too: its outcome and the snapshot after it. */
    private void finishUnsuccessful(BatchEvidence evidence, BatchEvidence.Run run, String outcome, Exception e,
                                    ScaleoutBatch batch) throws SQLException, IOException {
        if (run != null) {
            evidence.finish(run, outcome, Errors.describe(e), Map.of("batch_id", batch.batchId().toString()));
            recordEvidenceRows(1);
        }
    }

    /** Composes with a progress bar, and the instances composed in the batch run's row if one is recorded. */
    private ScaleoutReport compose(ScaleoutRunner runner, ScaleoutBatch batch, BatchEvidence evidence,
                                   BatchEvidence.Run run) throws SQLException {
        LongConsumer recorded = run == null ? added -> { } : evidence.counter(run, "instances", batch.count());
        try (Progress progress = Progress.start(context, "scaleout", batch.count())) {
            return runner.run(batch, ((LongConsumer) progress::stepBy).andThen(recorded));
        }
    }

    private void recordEvidenceRows(int runs) {
        context.invocation().rowDelta("iu_core_batch_run", runs);
        context.invocation().rowDelta("iu_core_matrix_snapshot", 2L * runs);
        context.invocation().rowDelta("iu_core_matrix_count", 2L * runs * MatrixRecorder.SURFACES.size());
    }

    private static CommandFailure failure(ScaleoutException e) {
        return e.isRefused() ? CommandFailure.refused(e.getMessage()) : CommandFailure.failed(e.getMessage());
    }

    private Map<String, Object> arguments(ScaleoutBatch batch) {
        Map<String, Object> arguments = batch.arguments();
        arguments.put("dry_run", dryRun);
        arguments.put("backup", evidenceOptions.backup);
        return arguments;
    }

    private void print(ScaleoutReport report, BatchEvidence.Finished finished) {
        if (json.enabled()) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("batch_id", report.batchId());
            result.put("batch_name", report.batchName());
            result.put("actor", report.actor());
            result.put("dry_run", report.dryRun());
            result.put("requested", report.requested());
            result.put("composed", report.composed());
            result.put("already_composed", report.alreadyComposed());
            result.put("memberships", report.memberships());
            result.put("digest_mismatches", report.digestMismatches());
            result.put("rows_added", report.rowsAdded());
            result.put("templates", report.templates());
            result.put("run_id", finished == null ? null : finished.run().runId());
            result.put("summary", report.summary());
            Output.printJson(context.out(), result);
            return;
        }
        Output.printTable(context.out(), List.of("TEMPLATE", "PIECES", "INSTANCES", report.dryRun() ? "WOULD COMPOSE" : "COMPOSED",
                        "ALREADY COMPOSED", "MEMBERSHIPS"),
                report.templates().stream().map(t -> List.of(t.template(), Integer.toString(t.pieces()),
                        Integer.toString(t.instances()), Integer.toString(t.composed()),
                        Integer.toString(t.alreadyComposed()), Long.toString(t.memberships()))).toList());
        context.out().println();
        context.out().println(report.summary());
        if (report.digestMismatches() > 0) {
            context.out().println("WARNING: " + report.digestMismatches() + " composed instances do not match their "
                    + "template's digest (see iu_collection_template_instance_lineage.digest_matches_template)");
        }
        if (!report.dryRun() && report.composed() > 0) {
            context.out().println("undo: iu-core rollback --actor " + report.actor() + " --dry-run, then without --dry-run");
        }
        if (finished != null) {
            EvidenceOptions.describe(finished).forEach(context.out()::println);
            context.out().println("  check: iu-core matrix diff " + finished.run().matrixBefore() + " " + finished.matrixAfter()
                    + " --expect " + expectation(report));
        }
    }

    /** The matrix diff's --expect for what the batch did. */
    private static String expectation(ScaleoutReport report) {
        StringBuilder expect = new StringBuilder();
        report.rowsAdded().forEach((table, rows) -> expect.append(expect.length() == 0 ? "" : ",")
                .append(table).append('=').append(MatrixRecorder.signed(report.dryRun() ? 0 : rows)));
        return expect.toString();
    }
}
