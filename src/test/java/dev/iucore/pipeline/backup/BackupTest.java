package dev.iucore.pipeline.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.iucore.pipeline.cli.ExitCode;
import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.config.Settings;
import dev.iucore.pipeline.demo.DemoDataLoader;
import dev.iucore.pipeline.testing.Cli;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.SystemTools;
import dev.iucore.pipeline.testing.TestDb;
import dev.iucore.pipeline.testing.TestPostgres;
import dev.iucore.pipeline.verify.MatrixRecorder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Needs PostgreSQL's client tools ({@code pg_dump}, {@code pg_restore}) of version 15 or newer, on
 * the PATH or under /usr/lib/postgresql (Debian: postgresql-client-15; .ci/run installs it when
 * missing). Without them {@link #theClientToolsAreInstalled} fails and says so: these tests are
 * never skipped.
 */
class BackupTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path backups;

    @BeforeAll
    static void someData() throws Exception {
        SystemTools.ensure();
        new DemoDataLoader(DB.db().runtime()).load();
        DB.db().update("""
                INSERT INTO event_outbox (event_type, aggregate_type, aggregate_id, payload)
                SELECT 'iu.collection.created', 'collection', 'c-' || g, jsonb_build_object('n', g)
                FROM generate_series(1, 250) g""");
        new MatrixRecorder(DB.db().runtime()).snapshot("before-backup", "ops", "node-1");
    }

    private static Settings settings() {
        return DB.db().settings().with(Setting.BACKUP_DIR, backups.toString());
    }

    private static Cli.Result iuCore(Settings settings, String... args) {
        return Cli.run(settings, args);
    }

    /** A backup made through the CLI, as JSON. */
    private static JsonNode backup(String label) throws IOException {
        Cli.Result result = iuCore(settings(), "backup", "--label", label, "--json");
        assertThat(result.exitCode()).as(result.err()).isZero();
        return JSON.readTree(result.out());
    }

    /** Every table's exact row count, in one round trip. */
    private static Map<String, Long> rowCounts(TestDb db) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (Map<String, Object> row : db.query("""
                SELECT relname, (xpath('/row/n/text()',
                        query_to_xml(format('SELECT count(*) AS n FROM %I', relname), false, true, '')))[1]::text::bigint AS n
                FROM pg_stat_user_tables ORDER BY relname""")) {
            counts.put((String) row.get("relname"), (Long) row.get("n"));
        }
        return counts;
    }

    private static List<Path> filesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }

    @Test
    void theClientToolsAreInstalled() {
        PgClientTools tools = new PgClientTools(null, System.getenv("PATH"));
        assertThat(tools.locate("pg_dump").major()).isGreaterThanOrEqualTo(15);
        assertThat(tools.locate("pg_restore").major()).isGreaterThanOrEqualTo(15);
    }

    @Test
    void aBackupIsAnArchiveWithItsSizeAndSha256AndVerifiesWithItsListing() throws Exception {
        JsonNode backup = backup("pre-scaleout");
        Path file = Path.of(backup.get("file").asText());
        assertThat(file.getParent()).isEqualTo(backups);
        assertThat(file.getFileName().toString()).matches(DB.db().name() + "_pre-scaleout_\\d{8}T\\d{6}Z\\.dump");
        assertThat(backup.get("bytes").asLong()).isEqualTo(Files.size(file)).isPositive();
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        assertThat(backup.get("sha256").asText()).isEqualTo(sha256);
        assertThat(Files.readString(file.resolveSibling(file.getFileName() + ".sha256")))
                .as("sha256sum format").isEqualTo(sha256 + "  " + file.getFileName() + "\n");
        assertThat(backup.get("tables_dumped").asInt()).isEqualTo(rowCounts(DB.db()).size());
        assertThat(Files.readAllBytes(file)).startsWith("PGDMP".getBytes(StandardCharsets.US_ASCII));
        assertThat(filesIn(backups)).noneMatch(p -> p.toString().endsWith(".partial"));

        Cli.Result verify = iuCore(settings(), "backup", "verify", file.toString());
        assertThat(verify.exitCode()).as(verify.err()).isZero();
        assertThat(verify.out()).contains(sha256 + " | matches")
                .containsPattern("(?m)^TABLE DATA\\s+\\| " + rowCounts(DB.db()).size() + "$")
                .containsPattern("entries; created \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\w+ from PostgreSQL 15\\.");
        JsonNode listed = JSON.readTree(iuCore(settings(), "backup", "verify", file.toString(), "--json").out());
        assertThat(listed.get("entries").asInt()).isGreaterThan(100);
        assertThat(listed.get("entries_by_type").get("INDEX").asInt()).isPositive();
        assertThat(DB.db().queryValue("""
                SELECT outcome FROM iu_command_log WHERE command_name = 'backup verify' ORDER BY id DESC LIMIT 1"""))
                .isEqualTo("ok");
    }

    @Test
    void aBackupRestoresIntoAFreshDatabaseWithTheSameRowsAndSchema() throws Exception {
        Map<String, Long> source = rowCounts(DB.db());
        Path file = Path.of(backup("restore-drill").get("file").asText());

        // README, "Restore": pg_restore into a new, empty database owned by the owner role
        TestDb restored = TestPostgres.emptyDatabase();
        try {
            PgClientTools.Tool pgRestore = new PgClientTools(null, System.getenv("PATH")).locate("pg_restore");
            ProcessBuilder restore = new ProcessBuilder(pgRestore.path().toString(), "--exit-on-error",
                    "--single-transaction", "--no-password", "--dbname=" + restored.name(), file.toString())
                    .redirectErrorStream(true);
            String port = restored.url().replaceAll(".*:(\\d+)/.*", "$1");
            restore.environment().putAll(Map.of("PGHOST", "127.0.0.1", "PGPORT", port, "PGUSER", TestPostgres.OWNER,
                    "PGPASSFILE", TestPostgres.server().credentialsFile().toString()));
            Process process = restore.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor()).as(output).isZero();

            assertThat(rowCounts(restored)).isEqualTo(source);
            Cli.Result conformance = Cli.run(restored.settings(), "verify", "conformance");
            assertThat(conformance.exitCode()).as("grants and default privileges came back too%n%s", conformance.out())
                    .isZero();
            assertThat(restored.queryLong("""
                    SELECT count(*) FROM iu_core_matrix_count c JOIN iu_core_matrix_snapshot s ON s.id = c.snapshot_id
                    WHERE s.label = 'before-backup'""")).isEqualTo(MatrixRecorder.SURFACES.size());
        } finally {
            restored.close();
        }
    }

    @Test
    void aMissingPgDumpIsRefusedAndNothingIsWritten(@TempDir Path elsewhere) throws Exception {
        Map<String, Long> before = rowCounts(DB.db());
        Cli.Result result = iuCore(DB.db().settings().with(Map.of(Setting.BACKUP_DIR, elsewhere.toString(),
                Setting.PG_BIN_DIR, "/nonexistent/pg/bin")), "backup", "--label", "pre");
        assertThat(result.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(result.err()).contains("iu-core backup: pg_dump not found at /nonexistent/pg/bin/pg_dump "
                + "(iu.pg-bin-dir / IU_PG_BIN_DIR)").doesNotContain("Exception");
        assertThat(filesIn(elsewhere)).isEmpty();
        assertThat(DB.db().queryValue("SELECT outcome FROM iu_command_log WHERE command_name = 'backup' ORDER BY id DESC LIMIT 1"))
                .isEqualTo("refused");
        Map<String, Long> after = rowCounts(DB.db());
        after.remove("iu_command_log");
        before.remove("iu_command_log");
        assertThat(after).as("the data is untouched").isEqualTo(before);
    }

    @Test
    void aPgDumpOlderThanTheServerIsRefused(@TempDir Path bin) throws Exception {
        Path fake = bin.resolve("pg_dump");
        Files.writeString(fake, "#!/bin/sh\necho 'pg_dump (PostgreSQL) 14.11'\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path out = bin.resolve("backups");
        Cli.Result result = iuCore(DB.db().settings().with(Map.of(Setting.BACKUP_DIR, out.toString(),
                Setting.PG_BIN_DIR, bin.toString())), "backup");
        assertThat(result.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(result.err()).contains(fake + " is version 14 and cannot dump a PostgreSQL 15 server: "
                + "install the client tools of version 15 or newer (Debian: postgresql-client-15)");
        assertThat(out).doesNotExist();
    }

    @Test
    void aFailingPgDumpLeavesNoPartialArchive(@TempDir Path elsewhere) throws Exception {
        Cli.Result result = iuCore(DB.db().settings().with(Map.of(Setting.BACKUP_DIR, elsewhere.toString(),
                Setting.DB_OWNER_USER, "no_such_owner")), "backup");
        assertThat(result.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(result.err()).contains("pg_dump of no_such_owner@127.0.0.1:").contains("exited with 1; no backup was written")
                .contains("password authentication failed for user \"no_such_owner\"");
        assertThat(filesIn(elsewhere)).isEmpty();
        assertThat(DB.db().queryValue("SELECT outcome FROM iu_command_log WHERE command_name = 'backup' ORDER BY id DESC LIMIT 1"))
                .isEqualTo("failed");
    }

    @Test
    void aChangedArchiveFailsVerificationAndTheOriginalStillVerifies(@TempDir Path copies) throws Exception {
        Path original = Path.of(backup("tamper").get("file").asText());
        Path copy = copies.resolve(original.getFileName());
        Files.copy(original, copy);
        Files.copy(original.resolveSibling(original.getFileName() + ".sha256"),
                copies.resolve(original.getFileName() + ".sha256"));
        byte[] bytes = Files.readAllBytes(copy);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(copy, bytes);

        Cli.Result result = iuCore(settings(), "backup", "verify", copy.toString());
        assertThat(result.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(result.err()).contains("iu-core backup verify: checksum mismatch for " + copy)
                .contains("it changed or is damaged; do not restore from it");
        assertThat(result.out()).isEmpty();
        assertThat(iuCore(settings(), "backup", "verify", original.toString()).exitCode()).isZero();
    }

    @Test
    void anArchiveWithoutItsChecksumOrNotThereCannotBeVerified(@TempDir Path dir) throws Exception {
        Path lone = dir.resolve("lone.dump");
        Files.copy(Path.of(backup("lone").get("file").asText()), lone);
        Cli.Result noChecksum = iuCore(settings(), "backup", "verify", lone.toString());
        assertThat(noChecksum.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(noChecksum.err()).contains("no checksum file lone.dump.sha256 beside " + lone);

        Cli.Result missing = iuCore(settings(), "backup", "verify", dir.resolve("never.dump").toString());
        assertThat(missing.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(missing.err()).contains("no backup archive at " + dir.resolve("never.dump"));

        Files.writeString(dir.resolve("junk.dump"), "not an archive");
        Files.writeString(dir.resolve("junk.dump.sha256"), HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest("not an archive".getBytes(StandardCharsets.UTF_8))) + "  junk.dump\n");
        Cli.Result junk = iuCore(settings(), "backup", "verify", dir.resolve("junk.dump").toString());
        assertThat(junk.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(junk.err()).contains("pg_restore cannot read " + dir.resolve("junk.dump"));
    }

    @Test
    void aLabelThatCannotBePartOfAFileNameIsAUsageError() throws Exception {
        long logged = DB.db().count("iu_command_log");
        Cli.Result result = iuCore(settings(), "backup", "--label", "../etc");
        assertThat(result.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(result.err()).contains("backup label \"../etc\" must be 1-64 letters, digits");
        assertThat(DB.db().count("iu_command_log")).isEqualTo(logged);
    }
}
