package dev.iucore.pipeline.cli;

import dev.iucore.pipeline.db.Database;
import dev.iucore.pipeline.db.Migrator;
import dev.iucore.pipeline.db.Migrator.AppliedMigration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code iu-core migrate [--rollback <version>] [--dry-run]}, as the owner role. */
@Command(name = "migrate", description = {
    "Apply pending migrations as the owner role, or with --rollback undo every applied migration",
    "at or above <version>, newest first, each with its sql/rollback file."})
final class MigrateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--rollback", paramLabel = "<version>",
            description = "Undo migrations down to and including this version (e.g. 7 or 007).")
    String rollbackTo;

    @Option(names = "--target", paramLabel = "<version>",
            description = "Apply pending migrations only up to and including this version.")
    String target;

    @Option(names = "--dry-run", description = "Show what would be applied or undone; change nothing.")
    boolean dryRun;

    @Option(names = "--actor", description = "Who is migrating (recorded in iu_command_log).")
    String actor;

    @Mixin
    JsonOption json;

    private final CommandContext context;

    MigrateCommand(CommandContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        requireVersion("--rollback", rollbackTo);
        requireVersion("--target", target);
        if (rollbackTo != null && target != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--rollback and --target exclude each other");
        }
        Database database = context.databaseAsIs();
        Migrator migrator = database.migrator();
        if (rollbackTo == null) {
            List<String> versions = dryRun ? migrator.pending()
                    : target == null ? migrator.migrate() : migrator.migrateTo(target);
            report(dryRun ? "pending" : "applied", versions, "nothing to apply: the schema is current", migrator);
        } else {
            List<AppliedMigration> undone = dryRun ? migrator.rollbackPlan(rollbackTo) : migrator.rollback(rollbackTo);
            report(dryRun ? "would_roll_back" : "rolled_back", undone.stream().map(AppliedMigration::version).toList(),
                    "nothing to roll back: no applied migration at or above " + rollbackTo, migrator);
        }
        return ExitCode.OK;
    }

    private void requireVersion(String option, String value) {
        if (value != null && !value.matches("\\d+(\\.\\d+)*")) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    option + " expects a migration version such as 7 or 007, not \"" + value + "\"");
        }
    }

    private void report(String what, List<String> versions, String nothing, Migrator migrator) {
        List<AppliedMigration> applied = migrator.applied();
        String current = applied.isEmpty() ? "none" : applied.get(0).version();
        if (json.enabled()) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put(what, versions);
            result.put("current_version", current);
            result.put("dry_run", dryRun);
            Output.printJson(context.out(), result);
            return;
        }
        context.out().println(versions.isEmpty() ? nothing : what.replace('_', ' ') + ": " + String.join(", ", versions));
        context.out().println("schema version: " + current);
    }
}
