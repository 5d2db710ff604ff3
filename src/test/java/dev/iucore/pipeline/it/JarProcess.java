package dev.iucore.pipeline.it;

import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.testing.TestDb;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar target/iu-core-pipeline.jar ...} as a real process, its output collected.
 * {@link #close()} ends it if it still runs: use it in try-with-resources or an {@code @AfterEach}.
 */
final class JarProcess implements AutoCloseable {

    static final Path JAR = Path.of("target", "iu-core-pipeline.jar");

    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Thread reader;

    private JarProcess(Process process) {
        this.process = process;
        this.reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "jar-output");
        reader.setDaemon(true);
        reader.start();
    }

    static JarProcess start(Map<String, String> env, String... args) throws IOException {
        return start(JAR, env, args);
    }

    /** Another packaged jar than the default one (the external-db distribution). */
    static JarProcess start(Path jar, Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("IU_") || k.startsWith("CAMEL_"));
        // no management server unless the test names its port: a port picked here and bound later by the
        // child may be taken in between (several services run in a test, and builds run side by side)
        if (!env.containsKey("CAMEL_MANAGEMENT_PORT")) {
            builder.environment().put("CAMEL_MANAGEMENT_ENABLED", "false");
        }
        builder.environment().put(Setting.DELIVERY_ALLOWED_NETWORKS.envName(), TestDb.LOCAL_RECEIVERS);
        builder.environment().putAll(env);
        return new JarProcess(builder.start());
    }

    static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Runs a one-shot command to its end. */
    static Result run(Map<String, String> env, String... args) throws Exception {
        return run(JAR, env, args);
    }

    static Result run(Path jar, Map<String, String> env, String... args) throws Exception {
        JarProcess p = start(jar, env, args);
        if (!p.process.waitFor(120, TimeUnit.SECONDS)) {
            p.process.destroyForcibly();
            throw new IllegalStateException("iu-core " + String.join(" ", args) + " did not finish:\n" + p.output());
        }
        p.reader.join(10_000);
        return new Result(p.process.exitValue(), p.output());
    }

    void awaitLine(String fragment, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (lines.stream().anyMatch(l -> l.contains(fragment))) {
                return;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("process ended (exit " + process.exitValue() + ") before \""
                        + fragment + "\":\n" + output());
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no \"" + fragment + "\" within " + timeout + ":\n" + output());
    }

    boolean alive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** SIGTERM, as systemd stops a service; waits for the exit code. */
    int terminate(Duration timeout) throws InterruptedException {
        // through the handle: Process.destroy() would also close our end of its output
        process.toHandle().destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("no exit within " + timeout + " of SIGTERM:\n" + output());
        }
        reader.join(10_000);
        return process.exitValue();
    }

    /** SIGKILL: no shutdown code runs at all. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    String output() {
        return String.join("\n", lines);
    }

    /** SIGKILL if it still runs. An embedded PostgreSQL it started may outlive it: see LeftoverPostgres. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }

    record Result(int exitCode, String output) {
    }
}
