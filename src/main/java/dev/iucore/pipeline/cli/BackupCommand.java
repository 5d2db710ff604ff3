package dev.iucore.pipeline.cli;

import dev.iucore.pipeline.backup.BackupException;
import dev.iucore.pipeline.backup.BackupService;
import dev.iucore.pipeline.backup.BackupVerifier;
import dev.iucore.pipeline.backup.PgClientTools;
import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.config.Settings;
import dev.iucore.pipeline.db.Database;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
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

/** {@code iu-core backup [--label L]} and {@code iu-core backup verify <file>}. */
@Command(name = "backup", description = {
    "pg_dump -Fc the database (as the owner role) into the backups directory (iu.backup.dir),",
    "printing path, bytes and SHA-256, also written beside it as <file>.sha256."},
        subcommands = BackupCommand.Verify.class)
final class BackupCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--label", description = "A label in the file name, e.g. pre-scaleout.")
    String label;

    @Mixin
    JsonOption json;

    private final CommandContext context;

    BackupCommand(CommandContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws SQLException, IOException {
        try {
            BackupService.requireValidLabel(label);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Database database = context.database();
        BackupService service = new BackupService(database.runtime(), database.ownerClientConnection(),
                tools(context.settings()), directory(context.settings()));
        BackupService.Backup backup;
        try (Progress progress = Progress.start(context, "backup", service.tableCount())) {
            backup = service.create(label, progress::step);
        } catch (BackupException e) {
            throw failure(e);
        }
        if (json.enabled()) {
            Output.printJson(context.out(), backup);
        } else {
            Output.printTable(context.out(), List.of("BACKUP", "BYTES", "SHA-256"),
                    List.of(List.of(backup.file().toString(), Long.toString(backup.bytes()), backup.sha256())));
            context.out().printf("%n%d tables dumped in %d ms by %s from PostgreSQL %s; checksum in %s.sha256%n",
                    backup.tablesDumped(), backup.durationMs(), backup.pgDumpVersion(), backup.serverVersion(),
                    backup.file().getFileName());
        }
        return ExitCode.OK;
    }

    /** iu.backup.dir, or backups/ under the data directory. */
    static Path directory(Settings settings) {
        return settings.optional(Setting.BACKUP_DIR).map(Path::of)
                .orElseGet(() -> Path.of(settings.get(Setting.DATA_DIR), "backups"));
    }

    static PgClientTools tools(Settings settings) {
        return new PgClientTools(settings.optional(Setting.PG_BIN_DIR).map(Path::of).orElse(null), System.getenv("PATH"));
    }

    static CommandFailure failure(BackupException e) {
        return e.isRefused() ? CommandFailure.refused(e.getMessage()) : CommandFailure.failed(e.getMessage());
    }

    @Command(name = "verify", description = {
        "Re-check a backup's SHA-256 against its .sha256 file and list the archive with pg_restore -l.",
        "Exit 1 when the checksum does not match or pg_restore cannot read it."})
    static final class Verify implements Callable<Integer> {

        @Parameters(paramLabel = "<file>", description = "The .dump archive.")
        Path file;

        @Mixin
        JsonOption json;

        private final CommandContext context;

        Verify(CommandContext context) {
            this.context = context;
        }

        @Override
        public Integer call() throws IOException {
            BackupVerifier.Verification verification;
            long size = Files.isRegularFile(file) ? Files.size(file) : 0;
            try (Progress progress = Progress.bytes(context, "backup verify", size)) {
                verification = new BackupVerifier(tools(context.settings())).verify(file, progress::stepBy);
            } catch (BackupException e) {
                throw failure(e);
            }
            if (json.enabled()) {
                Output.printJson(context.out(), verification);
            } else {
                Output.printTable(context.out(), List.of("BACKUP", "BYTES", "SHA-256", "CHECKSUM"),
                        List.of(List.of(verification.file().toString(), Long.toString(verification.bytes()),
                                verification.sha256(), "matches")));
                context.out().println();
                Output.printTable(context.out(), List.of("ENTRY TYPE", "COUNT"),
                        verification.entriesByType().entrySet().stream()
                                .map((Map.Entry<String, Integer> e) -> List.of(e.getKey(), Integer.toString(e.getValue())))
                                .toList());
                context.out().printf("%n%d entries; created %s from PostgreSQL %s by pg_dump %s; listed by %s%n",
                        verification.entries(), verification.createdAt(), verification.dumpedFromVersion(),
                        verification.dumpedByVersion(), verification.pgRestoreVersion());
            }
            return ExitCode.OK;
        }
    }
}
