package dev.iucore.pipeline.db;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A separate JVM that owns an embedded server and then waits to be killed with SIGKILL, leaving
 * its PostgreSQL running as a real crashed {@code iu-core run} would.
 */
final class KilledOwner {

    private static final String READY = "owner-ready";

    private KilledOwner() {
    }

    /** Starts the owner and waits (two minutes at most) until its server runs; a failed start leaves no process. */
    static Process start(Path dataDir) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                KilledOwner.class.getName(), dataDir.toString()))
                .redirectErrorStream(true)
                .start();
        StringBuilder seen = new StringBuilder();
        CompletableFuture<Boolean> ready = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    seen.append(line).append('\n');
                    if (line.contains(READY)) {
                        return true;
                    }
                }
                return false;
            } catch (IOException e) {
                return false;
            }
        });
        try {
            if (ready.get(2, TimeUnit.MINUTES)) {
                return process;
            }
            throw new IllegalStateException("the owner process ended before it was ready:\n" + seen);
        } catch (TimeoutException | ExecutionException e) {
            throw new IllegalStateException("the owner process was not ready within two minutes:\n" + seen, e);
        } finally {
            if (!ready.getNow(false)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    public static void main(String[] args) throws InterruptedException {
        EmbeddedPostgresServer.startOrAttach(Path.of(args[0]), 0, EmbeddedPostgresServer.Mode.SERVICE, "run",
                new EmbeddedPostgresServer.RoleNames("iu_core_owner", "iu_core_app"), true);
        System.out.println(READY);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
