package dev.iucore.pipeline.backup;

import dev.iucore.pipeline.db.ClientConnection;
import dev.iucore.pipeline.db.PrivateFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import javax.sql.DataSource;

/**
 * {@code iu-core backup}: {@code pg_dump -Fc} of the database into the backups directory, as the
 * owner role, with the archive's size and SHA-256 (also written beside it as {@code <file>.sha256}).
 * The archive is written under a {@code .partial} name and renamed when complete, so a file with
 * the {@code .dump} name is always a whole one. The directory is created 0700 and the archives are
 * 0600: they hold every row.
 */
public final class BackupService {

    static final String SERVER_VERSION = """
            SELECT current_setting('server_version_num')::int / 10000, current_setting('server_version')""";
    // pg_dump --verbose says "dumping contents of table" once per table: the progress steps
    static final String TABLES = "SELECT count(*) FROM pg_stat_user_tables";
    static final String LABEL_PATTERN = "[A-Za-z0-9][A-Za-z0-9._-]{0,63}";
    private static final String TABLE_DUMPED = "dumping contents of table";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final int ERROR_LINES = 8;
    private static final int LOCK_WAIT_MS = 60_000;

    private final DataSource runtime;
    private final ClientConnection owner;
    private final PgClientTools tools;
    private final Path directory;

    /**
     * @param runtime the runtime pool, to ask the server's version
     * @param owner how pg_dump connects: the owner role reads every object
     * @param directory the backups directory, created when missing
     */
    public BackupService(DataSource runtime, ClientConnection owner, PgClientTools tools, Path directory) {
        this.runtime = runtime;
        this.owner = owner;
        this.tools = tools;
        this.directory = directory;
    }

    /** Checks a label's form; a bad one is the caller's mistake, not a refusal. */
    public static void requireValidLabel(String label) {
        if (label != null && !label.matches(LABEL_PATTERN)) {
            throw new IllegalArgumentException("backup label \"" + label + "\" must be 1-64 letters, digits, '.', '_' "
                    + "or '-', starting with a letter or digit (it becomes part of the file name), e.g. pre-scaleout");
        }
    }

    /** How many tables pg_dump will dump: the total of the progress display. */
    public long tableCount() throws SQLException {
        try (Connection c = runtime.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(TABLES)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Dumps the database.
     *
     * @param label part of the file name, or null
     * @param onTableDumped called as pg_dump finishes each table (progress display)
     * @throws BackupException refused when no pg_dump can dump this server, failed when pg_dump fails
     */
    public Backup create(String label, Runnable onTableDumped) throws SQLException, IOException {
        requireValidLabel(label);
        Instant started = Instant.now();
        PgClientTools.Tool pgDump = tools.locate("pg_dump");
        int serverMajor;
        String serverVersion;
        try (Connection c = runtime.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(SERVER_VERSION)) {
            rs.next();
            serverMajor = rs.getInt(1);
            serverVersion = rs.getString(2);
        }
        if (pgDump.major() < serverMajor) {
            throw BackupException.refused(pgDump.path() + " is version " + pgDump.major() + " and cannot dump a PostgreSQL "
                    + serverMajor + " server: install the client tools of version " + serverMajor
                    + " or newer (Debian: postgresql-client-" + serverMajor + ") or set IU_PG_BIN_DIR to their bin directory");
        }
        PrivateFiles.directory(directory);
        String name = owner.database() + (label == null ? "" : "_" + label) + "_" + STAMP.format(started) + ".dump";
        Path file = directory.resolve(name);
        if (Files.exists(file)) {
            throw BackupException.refused(file + " exists already: wait a second or choose another label");
        }
        // 0600 before pg_dump writes a byte: it keeps the mode of the file it truncates
        Path partial = PrivateFiles.emptyFile(directory.resolve(name + ".partial"));
        int tables = dump(pgDump, partial, onTableDumped);
        String sha256 = Sha256.of(partial, bytes -> { });
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
        Sha256.writeCompanion(file, sha256);
        return new Backup(file, Files.size(file), sha256, tables, pgDump.version(), serverVersion,
                Duration.between(started, Instant.now()).toMillis());
    }

    private int dump(PgClientTools.Tool pgDump, Path partial, Runnable onTableDumped) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(pgDump.path().toString(), "--format=custom", "--verbose",
                "--no-password", "--lock-wait-timeout=" + LOCK_WAIT_MS, "--file=" + partial)
                .redirectErrorStream(true);
        builder.environment().putAll(owner.environment());
        builder.environment().put("PGAPPNAME", "iu-core backup");
        builder.environment().put("PGCONNECT_TIMEOUT", "10");
        Process process = builder.start();
        int tables = 0;
        Deque<String> lastLines = new ArrayDeque<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.contains(TABLE_DUMPED)) {
                    tables++;
                    onTableDumped.run();
                } else {
                    lastLines.addLast(line);
                    if (lastLines.size() > ERROR_LINES) {
                        lastLines.removeFirst();
                    }
                }
            }
        }
        int exit;
        try {
            exit = process.waitFor();
        } catch (InterruptedException e) {
            process.destroy();
            Thread.currentThread().interrupt();
            Files.deleteIfExists(partial);
            throw BackupException.failed("interrupted while pg_dump was running; no backup was written");
        }
        if (exit != 0) {
            Files.deleteIfExists(partial);
            throw BackupException.failed("pg_dump of " + owner + " exited with " + exit + "; no backup was written: "
                    + whatWentWrong(lastLines));
        }
        return tables;
    }

    /** pg_dump's error lines if it printed any, else its last words. */
    private static String whatWentWrong(Deque<String> lastLines) {
        List<String> errors = lastLines.stream()
                .filter(l -> l.contains("error:") || l.contains("FATAL") || l.contains("DETAIL:") || l.contains("HINT:"))
                .toList();
        return String.join(" | ", errors.isEmpty() ? lastLines : errors);
    }

    /** One archive: where, how big, its SHA-256, and what made it. */
    public record Backup(Path file, long bytes, String sha256, int tablesDumped, String pgDumpVersion,
                         String serverVersion, long durationMs) {
    }
}
