package dev.iucore.pipeline.cli;

import dev.iucore.pipeline.backup.BackupService;
import dev.iucore.pipeline.db.Database;
import dev.iucore.pipeline.verify.BatchEvidence;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** {@code --evidence [--backup]} of the batch commands: a batch-run record for {@code iu-core evidence <run-id>}. */
final class EvidenceOptions {

    @Option(names = "--evidence", description = {
        "Record the run in iu_core_batch_run with a matrix snapshot before and after;",
        "prints the run id for `iu-core evidence <run-id>`."})
    boolean evidence;

    @Option(names = "--backup", description = "With --evidence: a backup (pg_dump, size and SHA-256) before and after.")
    boolean backup;

    /** The recorder, or null without --evidence. */
    BatchEvidence recorder(CommandContext context, CommandSpec spec) {
        if (backup && !evidence) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--backup goes with --evidence: it records "
                    + "the backups in the run's evidence (for a plain backup run `iu-core backup`)");
        }
        if (!evidence) {
            return null;
        }
        Database database = context.database();
        BackupService backups = backup ? new BackupService(database.runtime(), database.ownerClientConnection(),
                BackupCommand.tools(context.settings()), BackupCommand.directory(context.settings())) : null;
        return new BatchEvidence(database.runtime(), backups, context.node(), context.batchRunStarted());
    }

    /** The run row's arguments: the command line as given, and the options as understood. */
    static Map<String, Object> arguments(CommandContext context, Map<String, Object> understood) {
        Map<String, Object> arguments = new LinkedHashMap<>(understood);
        arguments.put("command_line", new ArrayList<>(context.invocation().arguments()));
        return arguments;
    }

    /** What to print once a run is recorded: its id first, for the change record. */
    static List<String> describe(BatchEvidence.Finished finished) {
        List<String> lines = new ArrayList<>();
        lines.add("evidence: run " + finished.run().runId() + " (iu-core evidence " + finished.run().runId() + ")");
        lines.add("  matrix snapshots: " + finished.run().matrixBefore() + " -> " + finished.matrixAfter());
        if (finished.run().backupBefore() != null) {
            lines.add("  backup before: " + backupLine(finished.run().backupBefore()));
            lines.add("  backup after:  " + backupLine(finished.backupAfter()));
        }
        return lines;
    }

    private static String backupLine(BatchEvidence.Backup backup) {
        return backup.path() + " (" + backup.bytes() + " bytes, SHA-256 " + backup.sha256() + ")";
    }
}
