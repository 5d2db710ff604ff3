package dev.iucore.pipeline.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Stops an embedded PostgreSQL that a test's killed process left running on a data directory, so a
 * failed test leaves no server behind (the product's own recovery only runs at the next start).
 */
public final class LeftoverPostgres {

    private LeftoverPostgres() {
    }

    /** Fast shutdown (SIGINT) of the postmaster named in {@code dataDir/pg/postmaster.pid}, if it still runs. */
    public static void stop(Path dataDir) {
        Path pidFile = dataDir.resolve("pg").resolve("postmaster.pid");
        try {
            if (!Files.exists(pidFile)) {
                return;
            }
            Optional<ProcessHandle> postmaster = ProcessHandle.of(Long.parseLong(Files.readAllLines(pidFile).get(0).trim()));
            if (postmaster.isEmpty() || !postmaster.get().isAlive()) {
                return;
            }
            new ProcessBuilder("kill", "-INT", Long.toString(postmaster.get().pid())).inheritIO().start().waitFor();
            try {
                postmaster.get().onExit().get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                postmaster.get().destroyForcibly();
            }
        } catch (IOException | RuntimeException e) {
            // the pid file vanished or is unreadable: nothing of ours to stop
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
