package dev.iucore.pipeline.cli;

import dev.iucore.pipeline.verify.EvidenceReport;
import dev.iucore.pipeline.verify.EvidenceReport.Evidence;
import dev.iucore.pipeline.verify.MatrixRecorder;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code iu-core evidence <run-id>}: the change-record report of one batch run. */
@Command(name = "evidence", description = {
    "A Markdown (or JSON) report of one batch run started with --evidence, for a change record: actor, gates",
    "before/after, the regression matrix diff, backups re-checked against their SHA-256, rollback, duration.",
    "Exit 0 when the run ended ok, nothing moved unexpectedly and every backup verifies; 1 otherwise."})
final class EvidenceCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "<run-id>", description = "The run id scaleout or retention printed.")
    String runId;

    @Mixin
    JsonOption json;

    private final CommandContext context;

    EvidenceCommand(CommandContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        UUID id;
        try {
            id = UUID.fromString(runId);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "<run-id> is the UUID that scaleout or retention printed with --evidence, not \"" + runId + "\"");
        }
        EvidenceReport reports = new EvidenceReport(context.database().runtime());
        java.util.Optional<Evidence> found = reports.of(id);
        if (found.isEmpty()) {
            throw CommandFailure.failed("no batch run " + id + "; the newest: " + String.join("; ", orNone(reports)));
        }
        Evidence evidence = found.get();
        if (json.enabled()) {
            Map<String, Object> result = new LinkedHashMap<>(evidence.run());
            result.put("duration_ms", evidence.duration() == null ? null : evidence.duration().toMillis());
            result.put("matrix", evidence.matrix() == null ? null : evidence.matrix().rows());
            result.put("backups", evidence.backups());
            result.put("holds", evidence.holds());
            Output.printJson(context.out(), result);
        } else {
            markdown(context.out(), evidence);
        }
        return evidence.holds() ? ExitCode.OK : ExitCode.FAILED;
    }

    private static java.util.List<String> orNone(EvidenceReport reports) throws java.sql.SQLException {
        java.util.List<String> newest = reports.newest();
        return newest.isEmpty() ? java.util.List.of("none recorded yet") : newest;
    }

    private static void markdown(PrintStream out, Evidence evidence) {
        Map<String, Object> run = evidence.run();
        out.printf("# Batch run %s: %s, %s%n%n", run.get("run_id"), run.get("kind"), run.get("outcome"));
        out.println("| | |");
        out.println("|---|---|");
        row(out, "actor", run.get("actor"));
        row(out, "database user", run.get("db_user"));
        row(out, "node", run.get("node"));
        row(out, "arguments", "`" + Output.toJson(run.get("arguments")) + "`");
        row(out, "dry run", run.get("dry_run"));
        row(out, "started", run.get("started_at"));
        row(out, "finished", run.get("finished_at"));
        row(out, "duration", evidence.duration() == null ? "still running"
                : String.format(java.util.Locale.ROOT, "%.1f s", evidence.duration().toMillis() / 1000.0));
        row(out, "outcome", run.get("outcome") + (run.get("message") == null ? "" : ": " + run.get("message")));
        row(out, "undo", run.get("rollback_handle") == null ? "-"
                : "`iu-core rollback --actor " + run.get("rollback_handle") + "`");
        row(out, "verdict", evidence.holds() ? "holds" : "does not hold");

        out.printf("%n## Gates%n%n| gate | before | after |%n|---|---|---|%n");
        evidence.gates().forEach((gate, states) -> out.printf("| %s | %s | %s |%n", gate, open(states[0]), open(states[1])));

        out.printf("%n## Regression matrix: %s → %s%n%n", run.get("matrix_before"), run.get("matrix_after"));
        if (evidence.matrix() == null) {
            out.println("no snapshot after the run (it did not finish)");
        } else {
            out.println("| surface | before | after | Δ | verdict |");
            out.println("|---|---|---|---|---|");
            evidence.matrix().rows().stream().filter(r -> !r.surface().startsWith(MatrixRecorder.GATE_PREFIX))
                    .forEach(r -> out.printf("| %s | %s | %s | %s | %s%s |%n", r.surface(), r.before(), r.after(),
                            r.delta() == null ? "?" : MatrixRecorder.signed(r.delta()), r.verdict().display(),
                            r.note().isEmpty() ? "" : " (" + r.note() + ")"));
            out.printf("%n%d invariant, %d expected, %d unexpected%n", evidence.matrix().count(MatrixRecorder.Verdict.INVARIANT),
                    evidence.matrix().count(MatrixRecorder.Verdict.EXPECTED),
                    evidence.matrix().count(MatrixRecorder.Verdict.UNEXPECTED));
        }

        out.printf("%n## Backups%n%n");
        if (evidence.backups().isEmpty()) {
            out.println("none taken (run with --evidence --backup to take one before and after)");
        } else {
            out.println("| when | file | bytes | SHA-256 | now |");
            out.println("|---|---|---|---|---|");
            evidence.backups().forEach(b -> out.printf("| %s | %s | %,d | `%s` | %s |%n", b.when(), b.path(), b.bytes(),
                    b.sha256(), b.status()));
        }

        out.printf("%n## What the run reported%n%n```json%n%s%n```%n", Output.toJson(run.get("summary")));
    }

    private static void row(PrintStream out, String name, Object value) {
        out.printf("| %s | %s |%n", name, value);
    }

    private static String open(long state) {
        return state < 0 ? "?" : state == 1 ? "open" : "closed";
    }
}
