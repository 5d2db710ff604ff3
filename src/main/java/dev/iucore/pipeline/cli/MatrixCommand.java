package dev.iucore.pipeline.cli;

import dev.iucore.pipeline.verify.MatrixException;
import dev.iucore.pipeline.verify.MatrixExpectations;
import dev.iucore.pipeline.verify.MatrixRecorder;
import dev.iucore.pipeline.verify.TestReports;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code iu-core matrix snapshot|diff}. */
@Command(name = "matrix", description = "Before/after row counts of the watched tables.",
        subcommands = {MatrixCommand.Snapshot.class, MatrixCommand.Diff.class})
final class MatrixCommand {

    @Command(name = "snapshot", description = {
        "Record the row count of every table of the data model, the state of every gate, the schema's",
        "conformance and the event boundary's verdict under a unique label, in one consistent read;",
        "with --test-reports also the build's test outcome."})
    static final class Snapshot implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--label", required = true, description = "Unique name of the snapshot, e.g. pre-scaleout.")
        String label;

        @Option(names = "--actor", description = "Who takes it (recorded with the snapshot and in iu_command_log).")
        String actor;

        @Option(names = "--test-reports", paramLabel = "<dir>", description = {
            "The JUnit XML reports of the build this snapshot is about (target/surefire-reports): records",
            "tests:passed and tests:failed. Give it to both snapshots of a diff, or to neither."})
        Path testReports;

        @Mixin
        JsonOption json;

        private final CommandContext context;

        Snapshot(CommandContext context) {
            this.context = context;
        }

        @Override
        public Integer call() throws SQLException {
            TestReports tests;
            try {
                MatrixRecorder.requireValidLabel(label);
                tests = testReports == null ? null : TestReports.read(testReports);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            MatrixRecorder.Snapshot snapshot;
            try (Progress progress = Progress.start(context, "matrix snapshot", MatrixRecorder.SURFACES.size())) {
                snapshot = new MatrixRecorder(context.database().runtime())
                        .snapshot(label, context.invocation().actor(), context.node(), tests, progress::step);
            } catch (MatrixException e) {
                throw CommandFailure.refused(e.getMessage());
            }
            context.invocation().rowDelta("iu_core_matrix_snapshot", 1);
            context.invocation().rowDelta("iu_core_matrix_count", snapshot.counts().size());
            if (json.enabled()) {
                Output.printJson(context.out(), snapshot);
            } else {
                Output.printTable(context.out(), List.of("SURFACE", "ROWS"), snapshot.counts().entrySet().stream()
                        .map(e -> List.of(e.getKey(), Long.toString(e.getValue()))).toList());
                context.out().printf("%nsnapshot %s: %d surfaces, taken %s by %s (database user %s)%n", snapshot.label(),
                        snapshot.counts().size(), snapshot.takenAt(), snapshot.actor(), snapshot.dbUser());
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "diff", description = {
        "Compare two snapshots surface by surface: invariant (no change), expected (exactly the",
        "--expect delta) or unexpected (any other change, or an expected delta that did not happen).",
        "Exit 1 on any unexpected row."})
    static final class Diff implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "<before>", description = "Label of the earlier snapshot.")
        String before;

        @Parameters(index = "1", paramLabel = "<after>", description = "Label of the later snapshot.")
        String after;

        @Option(names = "--expect", split = ",", paramLabel = "<surface=+N>",
                description = "Expected deltas, e.g. iu_piece_collection=+20,iu_piece_membership=+105,gate:scaleout_enabled=0.")
        List<String> expected = new ArrayList<>();

        @Mixin
        JsonOption json;

        private final CommandContext context;

        Diff(CommandContext context) {
            this.context = context;
        }

        @Override
        public Integer call() throws SQLException {
            Map<String, Long> expectations;
            try {
                expectations = MatrixExpectations.parse(expected);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            MatrixRecorder.Diff diff;
            try {
                diff = new MatrixRecorder(context.database().runtime()).diff(before, after, expectations);
            } catch (MatrixException e) {
                throw CommandFailure.failed(e.getMessage());
            }
            if (json.enabled()) {
                Output.printJson(context.out(), asJson(diff));
            } else {
                print(diff);
            }
            return diff.holds() ? ExitCode.OK : ExitCode.FAILED;
        }

        private void print(MatrixRecorder.Diff diff) {
            Output.printTable(context.out(),
                    List.of("SURFACE", diff.before().label(), diff.after().label(), "Δ", "VERDICT", "NOTE"),
                    diff.rows().stream().map(r -> List.of(r.surface(), show(r.before()), show(r.after()),
                            r.delta() == null ? "-" : MatrixRecorder.signed(r.delta()), r.verdict().display(),
                            r.note())).toList());
            context.out().printf("%nmatrix %s -> %s: %d invariant, %d expected, %d unexpected: %s%n",
                    diff.before().label(), diff.after().label(), diff.count(MatrixRecorder.Verdict.INVARIANT),
                    diff.count(MatrixRecorder.Verdict.EXPECTED), diff.count(MatrixRecorder.Verdict.UNEXPECTED),
                    diff.holds() ? "holds" : "does NOT hold");
        }

        private static Map<String, Object> asJson(MatrixRecorder.Diff diff) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("before", diff.before().label());
            result.put("after", diff.after().label());
            result.put("holds", diff.holds());
            result.put("rows", diff.rows().stream().map(r -> {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("surface", r.surface());
                row.put("before", r.before());
                row.put("after", r.after());
                row.put("delta", r.delta());
                row.put("expected_delta", r.expectedDelta());
                row.put("verdict", r.verdict().display());
                row.put("note", r.note());
                return row;
            }).toList());
            return result;
        }

        private static String show(Long value) {
            return value == null ? "-" : Long.toString(value);
        }
    }
}
