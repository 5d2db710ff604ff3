package dev.iucore.pipeline.bench;

import dev.iucore.pipeline.cli.IuCoreMain;
import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.testing.Http11;
import dev.iucore.pipeline.testing.TestDb;
import java.io.File;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * {@code iu-core run} in a JVM of its own, configured only by the environment as an operator would
 * (the database, the node, the log level, the management port): the service exactly as deployed,
 * on the systemd unit's heap unless the benchmark passes other options. Its output goes to a file.
 */
final class ServiceProcess implements AutoCloseable {

    private final Process process;
    private final List<String> jvmOptions;
    private final int managementPort;
    private final Path output;

    private ServiceProcess(Process process, List<String> jvmOptions, int managementPort, Path output) {
        this.process = process;
        this.jvmOptions = jvmOptions;
        this.managementPort = managementPort;
        this.output = output;
    }

    /** Starts {@code iu-core run} on the database with these JVM options; waits until it answers ready. */
    static ServiceProcess start(BenchDatabase database, List<String> jvmOptions, Path output) throws Exception {
        return start(database, "bench-memory", jvmOptions, output);
    }

    /** The same, named {@code node} (leases, attempts): several may run on one database. */
    static ServiceProcess start(BenchDatabase database, String node, List<String> jvmOptions, Path output) throws Exception {
        int port = TestDb.freePort();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        List<String> options = new ArrayList<>(unitHeap());
        options.addAll(jvmOptions);
        command.addAll(options);
        command.addAll(List.of("-cp", productClasspath(), IuCoreMain.class.getName(), "run"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().putAll(Map.of(
                "IU_DB_URL", database.url(),
                "IU_DB_USER", BenchDatabase.RUNTIME,
                "IU_DB_PASSWORD", database.password(BenchDatabase.RUNTIME),
                Setting.DB_SCHEDULER_PASSWORD.envName(), database.password(Setting.DB_SCHEDULER_USER.defaultValue()),
                "IU_MIGRATE_ON_START", "false",
                "IU_NODE_ID", node,
                "IU_LOG_LEVEL", "WARN",
                "IU_DELIVERY_ALLOWED_NETWORKS", TestDb.LOCAL_RECEIVERS,
                "CAMEL_MANAGEMENT_PORT", Integer.toString(port)));
        ServiceProcess service = new ServiceProcess(builder.start(), List.copyOf(options), port, output);
        service.awaitReady(Duration.ofMinutes(2));
        return service;
    }

    /**
     * The heap options iu-core.service starts the service with (its IU_JAVA_HEAP), so that memory is
     * measured as operators run it; options given after them win.
     */
    private static List<String> unitHeap() throws java.io.IOException {
        Matcher heap = Pattern.compile("(?m)^Environment=\"IU_JAVA_HEAP=([^\"]*)\"$")
                .matcher(Files.readString(Path.of("deploy", "systemd", "iu-core.service")));
        if (!heap.find()) {
            throw new IllegalStateException("deploy/systemd/iu-core.service sets no IU_JAVA_HEAP");
        }
        return List.of(heap.group(1).split(" "));
    }

    /** The JVM options it runs with: the unit's heap, then the benchmark's. */
    List<String> jvmOptions() {
        return jvmOptions;
    }

    long pid() {
        return process.pid();
    }

    /** Its resident set now (VmRSS of /proc/&lt;pid&gt;/status): heap, metaspace, threads, buffers, all of it. */
    long rssBytes() throws java.io.IOException {
        return rssOf(process.pid());
    }

    /** A process's resident set now, as {@link #rssBytes()} reads it. */
    static long rssOf(long pid) throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS for pid " + pid);
    }

    private void awaitReady(Duration limit) throws Exception {
        HttpClient client = Http11.client();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/observe/health/ready")).build();
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("iu-core run exited with " + process.exitValue() + "; its output: " + output);
            }
            try {
                if (client.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("iu-core run was not ready within " + limit.toSeconds() + " s; its output: " + output);
    }

    /**
     * The product's classes and dependencies from the class loader exec:java gave the benchmark,
     * less the test classes (the test-scoped jars stay: they are only loaded when used).
     */
    private static String productClasspath() throws URISyntaxException {
        if (!(ServiceProcess.class.getClassLoader() instanceof URLClassLoader loader)) {
            return System.getProperty("java.class.path");
        }
        List<String> entries = new ArrayList<>();
        for (URL url : loader.getURLs()) {
            String entry = Path.of(url.toURI()).toString();
            if (!entry.endsWith("test-classes")) {
                entries.add(entry);
            }
        }
        return entries.stream().collect(Collectors.joining(File.pathSeparator));
    }

    /** SIGTERM, as an operator stops it: Camel shuts down gracefully. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
