package dev.iucore.pipeline.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The system tools a few tests use beyond a JDK and Maven: PostgreSQL's client tools (pg_dump,
 * pg_restore) for backups, Python's prometheus_client for the metrics format, systemd-analyze for
 * the unit files, Chromium and chromedriver for the console's browser tests. Those tests call
 * {@link #ensure()} first; it runs {@code src/test/sh/ensure-test-tools.sh} once per test JVM,
 * which installs what is missing from Debian's packages and does nothing where they are.
 */
public final class SystemTools {

    private static final Path SCRIPT = Path.of("src", "test", "sh", "ensure-test-tools.sh");
    private static boolean ensured;

    private SystemTools() {
    }

    public static synchronized void ensure() {
        if (ensured) {
            return;
        }
        ensured = true;
        try {
            Process script = new ProcessBuilder("bash", SCRIPT.toAbsolutePath().toString())
                    .redirectErrorStream(true).start();
            String said = new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!script.waitFor(10, TimeUnit.MINUTES)) {
                script.destroyForcibly();
            }
            if (!said.isEmpty()) {
                System.err.println(said);
            }
        } catch (IOException e) {
            // the tests that need the tools fail naming what is missing
            System.err.println("could not run " + SCRIPT + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
