package dev.iucore.pipeline.db;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a previous owner left behind when it did not stop cleanly: a {@code postmaster.pid} whose
 * server is gone (a crash), or a server still running without its iu-core process (a killed
 * JVM: pg_ctl starts PostgreSQL detached). Called only while holding the data directory lock, so
 * nothing found here belongs to a live iu-core process.
 */
final class LeftoverServer {

    private static final Logger LOG = LoggerFactory.getLogger(LeftoverServer.class);
    private static final Duration STOP_WAIT = Duration.ofSeconds(60);

    private LeftoverServer() {
    }

    /** Clears what a previous run left; returns what it found, as the message it logged. */
    static Optional<String> recover(Path cluster) throws IOException {
        Path pidFile = cluster.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(pidFile);
        long pid;
        try {
            pid = Long.parseLong(lines.get(0).trim());
        } catch (RuntimeException e) {
            Files.deleteIfExists(pidFile);
            return logged("Recovering: removed the unreadable " + pidFile + " left by a previous run.");
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(LeftoverServer::isPostgres);
        if (process.isEmpty()) {
            Files.deleteIfExists(pidFile);
            return logged("Recovering: a previous run crashed and left " + pidFile + " for pid " + pid
                    + ", which is no longer running; removed it. PostgreSQL replays its write-ahead log on start,"
                    + " so committed data is kept.");
        }
        String message = "Recovering: an embedded PostgreSQL (pid " + pid + ") was still running on " + cluster
                + " although the iu-core process that started it is gone; stopped it (fast shutdown) before a"
                + " clean start.";
        stopFast(process.get());
        return logged(message);
    }

    private static Optional<String> logged(String message) {
        LOG.warn(message);
        return Optional.of(message);
    }

    private static boolean isPostgres(ProcessHandle handle) {
        return handle.info().command().map(c -> c.endsWith("/postgres") || c.endsWith("postgres")).orElse(true);
    }

    private static void stopFast(ProcessHandle postmaster) throws IOException {
        // SIGINT is PostgreSQL's fast shutdown: running transactions roll back, nothing committed is lost
        try {
            new ProcessBuilder("kill", "-INT", Long.toString(postmaster.pid())).inheritIO().start().waitFor();
            Instant deadline = Instant.now().plus(STOP_WAIT);
            while (postmaster.isAlive() && Instant.now().isBefore(deadline)) {
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping the leftover PostgreSQL", e);
        }
        if (postmaster.isAlive()) {
            throw new EmbeddedDatabaseException("the leftover embedded PostgreSQL (pid " + postmaster.pid()
                    + ") did not stop within " + STOP_WAIT.toSeconds() + " s; stop it by hand (kill -INT "
                    + postmaster.pid() + ") and start again");
        }
    }
}
