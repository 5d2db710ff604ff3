package dev.iucore.pipeline.bench;

import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.testing.Http11;
import dev.iucore.pipeline.testing.TestDb;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Start-up to "ready" of the packaged jars (issue 14), never a test: {@code java -jar … run} as a
 * process of its own, timed from its launch to the first 200 of {@code /observe/health/ready}
 * (database answers, migrations applied, core routes running), then stopped with SIGTERM. Four
 * cases: the default jar on its embedded database, first start (binaries unpacked, cluster
 * created, migrations applied) and a restart on the same data directory; the external-db jar,
 * and for comparison the default jar, on an already running PostgreSQL (the product's embedded
 * server, migrated, acting as an external one; migrations checked on start as an operator runs it).
 *
 * <pre>mvn -B -q package -DskipTests
 * mvn -B -q test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.iucore.pipeline.bench.StartupBenchmark -Dexec.args=3</pre>
 * argument: runs of each case (default 3); the median and the fastest are printed.
 */
public final class StartupBenchmark {

    private static final Path JAR = Path.of("target", "iu-core-pipeline.jar");
    private static final Path EXTERNAL_DB_JAR = Path.of("target", "iu-core-pipeline-external-db.jar");
    private static final Duration READY_WITHIN = Duration.ofMinutes(3);

    private StartupBenchmark() {
    }

    public static void main(String[] args) {
        BenchMain.run(args, StartupBenchmark::run);
    }

    private static void run(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        System.out.printf(Locale.ROOT, "jars: %s %d MiB, %s %d MiB%n", JAR.getFileName(), Files.size(JAR) >> 20,
                EXTERNAL_DB_JAR.getFileName(), Files.size(EXTERNAL_DB_JAR) >> 20);

        List<Long> first = new ArrayList<>();
        List<Long> restart = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            Path dataDir = Files.createTempDirectory("iu-core-bench-startup");
            try {
                Map<String, String> env = Map.of(Setting.DATA_DIR.envName(), dataDir.toString());
                first.add(timeToReady(JAR, env));
                restart.add(timeToReady(JAR, env));
            } finally {
                delete(dataDir);
            }
        }
        print("iu-core-pipeline.jar, embedded database, first start", first);
        print("iu-core-pipeline.jar, embedded database, restart", restart);

        try (BenchDatabase database = BenchDatabase.start()) {
            System.out.println(database.machine());
            Map<String, String> env = new HashMap<>();
            env.put(Setting.DB_URL.envName(), database.url());
            env.put(Setting.DB_PASSWORD.envName(), database.password(BenchDatabase.RUNTIME));
            env.put(Setting.DB_OWNER_PASSWORD.envName(), database.password(BenchDatabase.OWNER));
            env.put(Setting.DB_SCHEDULER_PASSWORD.envName(), database.password(Setting.DB_SCHEDULER_USER.defaultValue()));
            List<Long> external = new ArrayList<>();
            List<Long> fullOnExternal = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                external.add(timeToReady(EXTERNAL_DB_JAR, env));
                fullOnExternal.add(timeToReady(JAR, env));
            }
            print("iu-core-pipeline-external-db.jar, external database", external);
            print("iu-core-pipeline.jar, external database", fullOnExternal);
        }
    }

    /** Milliseconds from launching {@code java -jar jar run} to its first ready answer; the process is stopped after. */
    private static long timeToReady(Path jar, Map<String, String> env) throws Exception {
        int port = TestDb.freePort();
        Path output = Files.createTempFile("iu-core-bench-startup", ".log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString(), "run").redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("IU_") || k.startsWith("CAMEL_"));
        builder.environment().putAll(env);
        builder.environment().put(Setting.LOG_LEVEL.envName(), "WARN");
        builder.environment().put("CAMEL_MANAGEMENT_PORT", Integer.toString(port));
        HttpClient client = Http11.builder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/health/ready"))
                .timeout(Duration.ofSeconds(2)).build();
        long start = System.nanoTime();
        Process process = builder.start();
        try {
            while (System.nanoTime() - start < READY_WITHIN.toNanos()) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(jar + " exited with " + process.exitValue() + ": " + Files.readString(output));
                }
                try {
                    if (client.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        return (System.nanoTime() - start) / 1_000_000;
                    }
                } catch (IOException e) {
                    // not listening yet
                }
                Thread.sleep(20);
            }
            throw new IllegalStateException(jar + " was not ready within " + READY_WITHIN + ": " + Files.readString(output));
        } finally {
            process.destroy();
            if (!process.waitFor(90, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            Files.deleteIfExists(output);
        }
    }

    private static void print(String label, List<Long> millis) {
        List<Long> sorted = millis.stream().sorted().toList();
        System.out.printf(Locale.ROOT, "%-55s median %5.1f s, fastest %5.1f s (%d runs)%n", label,
                sorted.get(sorted.size() / 2) / 1000.0, sorted.get(0) / 1000.0, sorted.size());
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
