package dev.iucore.pipeline.cli;

import dev.iucore.pipeline.db.Database;
import dev.iucore.pipeline.db.Migrator;
import dev.iucore.pipeline.db.Migrator.AppliedMigration;
import dev.iucore.pipeline.db.Migrator.BlockedStep;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
        if (rollbackTo == null && dryRun) {
            report("pending", migrator.pending(), List.of(), "nothing to apply: the schema is current", migrator);
        } else if (rollbackTo == null) {
            Migrator.Outcome outcome = target == null ? migrator.migrate() : migrator.migrateTo(target);
            report("applied", outcome.applied(), outcome.blocked(), "nothing to apply: the schema is current", migrator);
        } else {
            List<AppliedMigration> undone = dryRun ? migrator.rollbackPlan(rollbackTo) : migrator.rollback(rollbackTo);
            report(dryRun ? "would_roll_back" : "rolled_back", undone.stream().map(AppliedMigration::version).toList(),
                    List.of(), "nothing to roll back: no applied migration at or above " + rollbackTo, migrator);
        }
        return ExitCode.OK;
    }

    private void requireVersion(String option, String value) {
        if (value != null && !value.matches("\\d+(\\.\\d+)*")) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    option + " expects a migration version such as 7 or 007, not \"" + value + "\"");
        }
    }

    /** An optional step left out does not fail the command: the rest is applied, and the step is named with what it needs. */
    private void report(String what, List<String> versions, List<BlockedStep> blockedNow, String nothing, Migrator migrator) {
        String current = migrator.currentVersion();
        Map<String, String> blocked = new TreeMap<>(migrator.blocked());
        Map<String, String> reasons = new LinkedHashMap<>();
        blockedNow.forEach(b -> {
            blocked.put(b.version(), b.description());
            reasons.put(b.version(), b.reason());
        });
        if (json.enabled()) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put(what, versions);
            result.put("current_version", current);
            result.put("blocked", blocked.entrySet().stream().map(b -> {
                Map<String, Object> step = new LinkedHashMap<>();
                step.put("version", b.getKey());
                step.put("description", b.getValue());
                step.put("reason", reasons.get(b.getKey()));
                return step;
            }).toList());
            result.put("dry_run", dryRun);
            Output.printJson(context.out(), result);
            return;
        }
        context.out().println(versions.isEmpty() ? nothing : what.replace('_', ' ') + ": " + String.join(", ", versions));
        blocked.forEach((version, description) -> context.out().println("blocked: " + reasons.getOrDefault(version,
                version + " (" + description + ") is an optional step not applied; `iu-core migrate` tries it again")));
        context.out().println("schema version: " + current + (blocked.isEmpty() ? ""
                : " (without optional step " + String.join(", ", blocked.keySet()) + ")"));
    }
}
