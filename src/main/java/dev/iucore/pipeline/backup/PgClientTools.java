package dev.iucore.pipeline.backup;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds PostgreSQL's client tools ({@code pg_dump}, {@code pg_restore}) and their versions.
 *
 * <p>With {@code iu.pg-bin-dir} set, only that directory. Otherwise every directory of the
 * {@code PATH}, then Debian's {@code /usr/lib/postgresql/<major>/bin}, and the newest version
 * found wins (a pg_dump can dump servers of its own major version and older). The embedded
 * server's binaries are no fallback: zonky's bundle holds only initdb, pg_ctl and postgres.
 */
public final class PgClientTools {

    static final Path DEBIAN_VERSIONS = Path.of("/usr/lib/postgresql");
    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\) (\\d+)(?:\\.(\\d+))?");
    private static final long VERSION_TIMEOUT_SECONDS = 10;

    private final Path configuredDir;
    private final String path;

    /**
     * @param configuredDir iu.pg-bin-dir, or null to search
     * @param path the PATH to search
     */
    public PgClientTools(Path configuredDir, String path) {
        this.configuredDir = configuredDir;
        this.path = path == null ? "" : path;
    }

    /** The newest usable copy of the tool; refused, with what to do, when there is none. */
    public Tool locate(String name) {
        if (configuredDir != null) {
            Path candidate = configuredDir.resolve(name);
            if (!Files.isExecutable(candidate)) {
                throw BackupException.refused(name + " not found at " + candidate
                        + " (iu.pg-bin-dir / IU_PG_BIN_DIR): point it at the bin directory of the PostgreSQL "
                        + "client tools, or unset it to search the PATH");
            }
            return version(candidate).orElseThrow(() -> BackupException.refused(
                    candidate + " does not say which PostgreSQL version it is (`" + name + " --version`)"));
        }
        return candidates(name).stream()
                .map(PgClientTools::version)
                .flatMap(Optional::stream)
                .max(Comparator.comparingInt(Tool::major))
                .orElseThrow(() -> BackupException.refused(name + " not found on the PATH or under "
                        + DEBIAN_VERSIONS + ": install the PostgreSQL client tools of the server's version "
                        + "(Debian: apt-get install postgresql-client-15) or set IU_PG_BIN_DIR"));
    }

    private List<Path> candidates(String name) {
        List<Path> candidates = new ArrayList<>();
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isBlank()) {
                candidates.add(Path.of(dir, name));
            }
        }
        if (Files.isDirectory(DEBIAN_VERSIONS)) {
            try (Stream<Path> versions = Files.list(DEBIAN_VERSIONS)) {
                versions.map(v -> v.resolve("bin").resolve(name)).forEach(candidates::add);
            } catch (IOException e) {
                // an unreadable directory holds no candidates
            }
        }
        return candidates.stream().filter(Files::isExecutable).distinct().toList();
    }

    private static Optional<Tool> version(Path executable) {
        try {
            Process process = new ProcessBuilder(executable.toString(), "--version").redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!process.waitFor(VERSION_TIMEOUT_SECONDS, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                return Optional.empty();
            }
            Matcher m = VERSION.matcher(output);
            return m.find() ? Optional.of(new Tool(executable, Integer.parseInt(m.group(1)), output)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** One client tool: where it is, its major version, and what it says of itself. */
    public record Tool(Path path, int major, String version) {
    }
}
