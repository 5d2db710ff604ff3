package dev.iucore.pipeline.db;

import io.zonky.test.db.postgres.util.LinuxUtils;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The PostgreSQL programs run on one cluster directory: {@code initdb}, the single-user backend
 * (how the cluster is administered, so the superuser never logs in over a connection) and
 * {@code pg_ctl} start and stop. PostgreSQL refuses to run as root; as root the programs run in a
 * user namespace of their own ({@code unshare -U}), as zonky's launcher did.
 */
final class EmbeddedCluster {

    static final String SUPERUSER = "postgres";
    private static final int OUTPUT_LINES = 12;
    private static final String START_WAIT_SECONDS = "120";
    private static final String STOP_WAIT_SECONDS = "60";

    private final Path home;
    private final Path directory;

    /**
     * @param home the unpacked installation ({@link PostgresBinaries})
     * @param directory the cluster (PGDATA)
     */
    EmbeddedCluster(Path home, Path directory) {
        this.home = home;
        this.directory = directory;
    }

    Path directory() {
        return directory;
    }

    /** A new cluster in the (absent or empty) directory: no connection is accepted until pg_hba.conf says so. */
    void initialise(boolean durable) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("-D", directory.toString(), "-U", SUPERUSER, "-E", "UTF-8",
                "--auth=reject"));
        if (!durable) {
            args.add("--no-sync");
        }
        run("initdb", args, null);
    }

    /**
     * Runs SQL in the single-user backend on the database {@code postgres} (the server must be
     * stopped). Statements end with a semicolon and an empty line; the first error stops it.
     */
    void singleUser(String script) throws IOException, InterruptedException {
        run("postgres", List.of("--single", "-D", directory.toString(), "-j", "-c", "exit_on_error=on", "postgres"),
                script);
    }

    /**
     * Starts the server, waiting until it accepts connections.
     *
     * @param durable fsync and synchronous_commit on: an outbox that loses commits is no outbox; tests may skip the disk
     */
    void start(int port, boolean durable) throws IOException, InterruptedException {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("listen_addresses", "127.0.0.1");
        // no Unix socket: libpq's default directory is the shared /tmp
        config.put("unix_socket_directories", "");
        config.put("password_encryption", "scram-sha-256");
        config.put("timezone", "UTC");
        config.put("max_connections", "300");
        // the server logs to pg/log, so it can outlive a killed JVM without a broken pipe
        config.put("logging_collector", "on");
        config.put("log_directory", "log");
        config.put("fsync", durable ? "on" : "off");
        config.put("synchronous_commit", durable ? "on" : "off");
        Path log = PrivateFiles.directory(directory.resolve("log"));
        StringBuilder options = new StringBuilder("-p ").append(port);
        // pg_ctl hands these to a shell; every value is ours, and "" is the shell's empty string
        config.forEach((key, value) -> options.append(" -c ").append(key).append('=')
                .append(value.isEmpty() ? "\"\"" : value));
        run("pg_ctl", List.of("-D", directory.toString(), "-l", log.resolve("startup.log").toString(), "-w",
                "-t", START_WAIT_SECONDS, "-o", options.toString(), "start"), null);
    }

    /** Fast shutdown: running transactions roll back, nothing committed is lost. */
    void stop() throws IOException, InterruptedException {
        run("pg_ctl", List.of("-D", directory.toString(), "-m", "fast", "-w", "-t", STOP_WAIT_SECONDS, "stop"), null);
    }

    private void run(String program, List<String> args, String input) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (LinuxUtils.isUnshareAvailable()) {
            command.addAll(List.of("unshare", "-U"));
        }
        command.add(home.resolve("bin").resolve(program).toString());
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (input != null) {
            try (var in = process.getOutputStream()) {
                in.write(input.getBytes(StandardCharsets.UTF_8));
            }
        } else {
            process.getOutputStream().close();
        }
        List<String> output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        int exit = process.waitFor();
        if (exit != 0) {
            throw new EmbeddedDatabaseException(program + " on " + directory + " exited with " + exit + ": "
                    + String.join(" | ", output.subList(Math.max(0, output.size() - OUTPUT_LINES), output.size()))
                    + startupLog(program));
        }
    }

    /** pg_ctl's own output says little when the server fails to start; the server's first log lines say why. */
    private String startupLog(String program) throws IOException {
        Path log = directory.resolve("log").resolve("startup.log");
        if (!program.equals("pg_ctl") || !Files.exists(log)) {
            return "";
        }
        List<String> lines = Files.readAllLines(log);
        return " | server log: " + String.join(" | ", lines.subList(Math.max(0, lines.size() - OUTPUT_LINES), lines.size()));
    }
}
