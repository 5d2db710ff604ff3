package dev.iucore.pipeline.testing;

import dev.iucore.pipeline.config.Setting;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged service, {@code java -jar target/iu-core-pipeline.jar run}, in a JVM of its own on
 * a test database, configured by the environment as an operator would, with short poll intervals.
 * Unlike {@link RunningPipeline} it can be killed with SIGKILL: nothing of it runs any more, not
 * even a shutdown hook. Use it in try-with-resources: {@link #close()} ends the process whatever
 * happened (a failed assertion must not leave a JVM behind).
 */
public final class ServiceJar implements AutoCloseable {

    public static final Path JAR = Path.of("target", "iu-core-pipeline.jar");
    /** The distribution without the embedded database, for an external PostgreSQL (pom.xml, execution external-db). */
    public static final Path EXTERNAL_DB_JAR = Path.of("target", "iu-core-pipeline-external-db.jar");
    private static final Duration READY = Duration.ofSeconds(120);
    private static final int BIND_TRIES = 3;

    private final Process process;
    private final Path output;
    private final String node;
    private final int managementPort;

    private ServiceJar(Process process, Path output, String node, int managementPort) {
        this.process = process;
        this.output = output;
        this.node = node;
        this.managementPort = managementPort;
    }

    /** Starts the service on {@code jdbcUrl} as the runtime role and waits until it answers ready. */
    public static ServiceJar start(String jdbcUrl, String node, Map<Setting, String> overrides) {
        return start(JAR, jdbcUrl, node, overrides);
    }

    /** The same with another packaged jar (the external-db distribution). */
    public static ServiceJar start(Path jar, String jdbcUrl, String node, Map<Setting, String> overrides) {
        return start(jar, environment(jdbcUrl, node, overrides), node);
    }

    /** The same with more of the operator's environment ({@code JAVA_TOOL_OPTIONS}, say). */
    public static ServiceJar start(TestDb db, String node, Map<Setting, String> overrides, Map<String, String> more) {
        Map<String, String> env = environment(db.url(), node, overrides);
        env.putAll(more);
        return start(JAR, env, node);
    }

    private static ServiceJar start(Path jar, Map<String, String> env, String node) {
        // the management port is picked, released, then bound by the child: another process may take
        // it in between, so a start that lost that race is tried again on another port
        for (int tried = 1; ; tried++) {
            int port = TestDb.freePort();
            env.put("CAMEL_MANAGEMENT_PORT", Integer.toString(port));
            ServiceJar service = launch(jar, env, node, port);
            try {
                service.awaitReady(port);
                return service;
            } catch (RuntimeException e) {
                service.close();
                if (tried == BIND_TRIES || !service.output().contains("already in use")) {
                    throw e;
                }
            }
        }
    }

    /**
     * The environment an operator would give the service on {@code jdbcUrl} (the runtime role, no
     * migration on start, short poll intervals), without a management port: the caller names it.
     */
    public static Map<String, String> environment(String jdbcUrl, String node, Map<Setting, String> overrides) {
        Map<String, String> env = new HashMap<>();
        Map<Setting, String> settings = new HashMap<>(Map.of(
                Setting.DB_URL, jdbcUrl,
                Setting.DB_USER, TestPostgres.RUNTIME,
                Setting.DB_OWNER_USER, TestPostgres.OWNER,
                Setting.MIGRATE_ON_START, "false",
                Setting.NODE_ID, node,
                Setting.LOG_LEVEL, "WARN",
                Setting.RELAY_POLL_INTERVAL_MS, "100",
                Setting.DELIVERY_POLL_INTERVAL_MS, "100",
                Setting.METRICS_REFRESH_INTERVAL_MS, "1000",
                Setting.DELAYED_LANE_CRON, RunningPipeline.NEVER));
        settings.put(Setting.DB_PASSWORD, TestPostgres.password(TestPostgres.RUNTIME));
        settings.put(Setting.DB_OWNER_PASSWORD, TestPostgres.password(TestPostgres.OWNER));
        settings.put(Setting.DB_SCHEDULER_PASSWORD, TestPostgres.password(TestPostgres.SCHEDULER));
        settings.put(Setting.DELIVERY_ALLOWED_NETWORKS, TestDb.LOCAL_RECEIVERS);
        settings.putAll(overrides);
        settings.forEach((setting, value) -> env.put(setting.envName(), value));
        return env;
    }

    public static ServiceJar start(TestDb db, String node, Map<Setting, String> overrides) {
        return start(db, node, overrides, Map.of());
    }

    private static ServiceJar launch(Path jar, Map<String, String> env, String node, int port) {
        try {
            Path output = Files.createTempFile("iu-core-" + node + "-", ".log");
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    // several of these share two cores with the database and the test
                    "-XX:+UseSerialGC", "-Xmx384m", "-XX:TieredStopAtLevel=1", "-jar", jar.toString(), "run"));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
            builder.environment().keySet().removeIf(k -> k.startsWith("IU_") || k.startsWith("CAMEL_"));
            builder.environment().putAll(env);
            return new ServiceJar(builder.start(), output, node, port);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + jar + " (run `mvn package` first)", e);
        }
    }

    private void awaitReady(int port) {
        HttpClient client = Http11.builder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/health/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + READY.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("iu-core run (" + node + ") exited with " + process.exitValue() + ":\n" + output());
            }
            try {
                if (client.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + node, e);
            }
            sleepQuietly();
        }
        throw new IllegalStateException("iu-core run (" + node + ") was not ready within " + READY + ":\n" + output());
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public String node() {
        return node;
    }

    /** Where its health and metrics answer (127.0.0.1). */
    public int managementPort() {
        return managementPort;
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** SIGKILL; returns once the process is gone. */
    public void kill() {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(30));
    }

    /** SIGTERM, as systemd stops it: Camel stops gracefully. Returns the exit code. */
    public int stop() {
        process.destroy();
        if (!awaitExit(Duration.ofSeconds(90))) {
            kill();
            throw new IllegalStateException(node + " did not exit within 90 s of SIGTERM:\n" + output());
        }
        return process.exitValue();
    }

    private boolean awaitExit(Duration limit) {
        try {
            return process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** What the process wrote so far (stdout and stderr). */
    public String output() {
        try {
            return Files.readString(output);
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    /** Ends the process if it still runs (SIGKILL), and removes its log. */
    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
        try {
            Files.deleteIfExists(output);
        } catch (IOException ignored) {
            // a temp file left behind is harmless
        }
    }
}
