package dev.iucore.pipeline.backup;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code iu-core backup verify <file>}: the archive still hashes to its {@code .sha256}, and
 * {@code pg_restore -l} can read its table of contents. It needs no database.
 */
public final class BackupVerifier {

    private static final Pattern HEX = Pattern.compile("^([0-9a-fA-F]{64})\\b");
    private static final Pattern HEADER = Pattern.compile("^;\\s+([^:]+):\\s*(.*)$");
    // its value has colons of its own: "; Archive created at 2026-05-25 06:37:20 UTC"
    private static final Pattern CREATED = Pattern.compile("^; Archive created at (.*)$");
    private static final Pattern ENTRY = Pattern.compile("^\\d+; \\d+ \\d+ (.*)$");
    // longest first: "TABLE DATA" before "TABLE"
    private static final List<String> ENTRY_TYPES = List.of(
            "TABLE DATA", "SEQUENCE SET", "SEQUENCE OWNED BY", "FK CONSTRAINT", "DEFAULT ACL", "MATERIALIZED VIEW",
            "TABLE", "SEQUENCE", "INDEX", "CONSTRAINT", "FUNCTION", "TRIGGER", "VIEW", "ACL", "DEFAULT", "COMMENT",
            "SCHEMA", "EXTENSION", "TYPE", "DOMAIN", "RULE", "POLICY");

    private final PgClientTools tools;

    public BackupVerifier(PgClientTools tools) {
        this.tools = tools;
    }

    /**
     * @param onBytes told as the archive is hashed (progress display)
     * @throws BackupException refused when the archive or pg_restore is missing; failed on a checksum
     *     mismatch, a missing or unreadable {@code .sha256}, or an archive pg_restore cannot read
     */
    public Verification verify(Path file, LongConsumer onBytes) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw BackupException.refused("no backup archive at " + file.toAbsolutePath());
        }
        Path companion = Sha256.companion(file);
        if (!Files.isRegularFile(companion)) {
            throw BackupException.failed("no checksum file " + companion.getFileName() + " beside " + file
                    + ": the archive cannot be verified (iu-core backup writes one with every archive)");
        }
        Matcher recorded = HEX.matcher(Files.readString(companion, StandardCharsets.UTF_8).trim());
        if (!recorded.find()) {
            throw BackupException.failed(companion + " holds no SHA-256 (64 hex digits)");
        }
        String expected = recorded.group(1).toLowerCase(java.util.Locale.ROOT);
        String actual = Sha256.of(file, onBytes);
        if (!expected.equals(actual)) {
            throw BackupException.failed("checksum mismatch for " + file + ": " + companion.getFileName() + " says "
                    + expected + ", the archive hashes to " + actual + ": it changed or is damaged; do not restore from it");
        }
        PgClientTools.Tool pgRestore = tools.locate("pg_restore");
        List<String> listing = list(pgRestore, file);
        Map<String, String> header = new LinkedHashMap<>();
        Map<String, Integer> byType = new TreeMap<>();
        int entries = 0;
        for (String line : listing) {
            Matcher created = CREATED.matcher(line);
            Matcher h = HEADER.matcher(line);
            Matcher e = ENTRY.matcher(line);
            if (created.matches()) {
                header.put("Archive created at", created.group(1).trim());
            } else if (h.matches()) {
                header.putIfAbsent(h.group(1).trim(), h.group(2).trim());
            } else if (e.matches()) {
                entries++;
                byType.merge(type(e.group(1)), 1, Integer::sum);
            }
        }
        return new Verification(file, Files.size(file), actual, entries, byType,
                header.getOrDefault("Dumped from database version", "?"),
                header.getOrDefault("Dumped by pg_dump version", "?"),
                header.getOrDefault("Archive created at", "?"), pgRestore.version());
    }

    private static List<String> list(PgClientTools.Tool pgRestore, Path file) throws IOException {
        Process process = new ProcessBuilder(pgRestore.path().toString(), "--list", file.toString())
                .redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                lines.add(line);
            }
        }
        int exit;
        try {
            exit = process.waitFor();
        } catch (InterruptedException e) {
            process.destroy();
            Thread.currentThread().interrupt();
            throw BackupException.failed("interrupted while pg_restore was listing " + file);
        }
        if (exit != 0) {
            throw BackupException.failed("pg_restore cannot read " + file + " (exit " + exit + "): "
                    + String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size())));
        }
        return lines;
    }

    private static String type(String description) {
        return ENTRY_TYPES.stream().filter(t -> description.startsWith(t + " ")).findFirst()
                .orElse(description.split(" ", 2)[0]);
    }

    /** A verified archive: checksum good, and what its table of contents holds. */
    public record Verification(Path file, long bytes, String sha256, int entries, Map<String, Integer> entriesByType,
                               String dumpedFromVersion, String dumpedByVersion, String createdAt,
                               String pgRestoreVersion) {
    }
}
