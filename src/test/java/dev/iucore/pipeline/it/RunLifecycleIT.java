package dev.iucore.pipeline.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.iucore.pipeline.db.EmbeddedCredentials;
import dev.iucore.pipeline.testing.LeftoverPostgres;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar on its embedded database: start, attach, SIGTERM, restart, SIGKILL, recover. */
class RunLifecycleIT {

    private static final Duration START = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;

    private final List<JarProcess> started = new ArrayList<>();

    private Map<String, String> env() {
        return Map.of("IU_DATA_DIR", dataDir.toString(), "IU_LOG_LEVEL", "INFO");
    }

    private JarProcess start() throws Exception {
        JarProcess run = JarProcess.start(env(), "run");
        started.add(run);
        return run;
    }

    /** Whatever a failed check left: every service started here, and the PostgreSQL a killed one left running. */
    @AfterEach
    void nothingLeftRunning() throws Exception {
        for (JarProcess run : started) {
            run.close();
        }
        LeftoverPostgres.stop(dataDir);
    }

    @Test
    void theServiceRunsOnItsEmbeddedDatabaseSharesItStopsInOrderAndRecoversFromAKill() throws Exception {
        JarProcess run = start();
        run.awaitLine("iu-core ready:", START);
        assertThat(run.output()).contains("embedded PostgreSQL 15 initialised and started");
        String postmaster = Files.readString(dataDir.resolve("pg/postmaster.pid"));

        // a second command attaches to the running server: same postmaster, owner unchanged
        JarProcess.Result opened = JarProcess.run(env(), "gates", "open", "delivery_enabled",
                "--actor", "it", "--reason", "lifecycle test", "--json");
        assertThat(opened.exitCode()).as(opened.output()).isZero();
        assertThat(Files.readString(dataDir.resolve("pg/postmaster.pid"))).isEqualTo(postmaster);
        assertThat(owner().getProperty("pid")).isEqualTo(Long.toString(run.pid()));
        assertThat(owner().getProperty("command")).isEqualTo("run");
        assertThat(query("SELECT outcome FROM iu_command_log WHERE command_name = 'run'")).isEqualTo("running");

        // SIGTERM: Camel stops, then the database; exit 0
        assertThat(run.terminate(Duration.ofSeconds(90))).as(run.output()).isZero();
        assertThat(run.output()).contains("received SIGTERM").contains("embedded PostgreSQL stopped");
        assertThat(run.output().indexOf("iu-core stopped")).isLessThan(run.output().indexOf("embedded PostgreSQL stopped"));
        assertThat(dataDir.resolve("pg/postmaster.pid")).doesNotExist();
        assertThat(dataDir.resolve("iu-core.owner")).doesNotExist();

        // the data survives a restart; then SIGKILL leaves PostgreSQL running without its owner
        JarProcess second = start();
        second.awaitLine("iu-core ready:", START);
        JarProcess.Result gates = JarProcess.run(env(), "gates", "list", "--json");
        assertThat(gates.exitCode()).as(gates.output()).isZero();
        JsonNode list = JSON.readTree(gates.output().substring(gates.output().indexOf('{')));
        assertThat(list.get("gates").findValues("name").stream().map(JsonNode::asText).toList()).contains("delivery_enabled");
        assertThat(openOf(list, "delivery_enabled")).isTrue();
        second.kill();
        long orphan = Long.parseLong(Files.readAllLines(dataDir.resolve("pg/postmaster.pid")).get(0).trim());
        assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive)).contains(true);

        JarProcess third = start();
        third.awaitLine("iu-core ready:", START);
        assertThat(third.output()).contains("Recovering: an embedded PostgreSQL (pid " + orphan + ") was still running");
        assertThat(query("SELECT gate_value FROM iu_core_gate WHERE gate_name = 'delivery_enabled'")).isEqualTo("true");
        assertThat(third.terminate(Duration.ofSeconds(90))).isZero();
    }

    @Test
    void aSecondRunOnTheSameDataDirectoryIsRefused() throws Exception {
        JarProcess run = start();
        run.awaitLine("iu-core ready:", START);
        JarProcess.Result second = JarProcess.run(env(), "run");
        assertThat(second.exitCode()).isEqualTo(1);
        assertThat(second.output()).contains("another `iu-core run` (pid " + run.pid() + ")");
        assertThat(run.terminate(Duration.ofSeconds(90))).isZero();
    }

    private static boolean openOf(JsonNode list, String gate) {
        for (JsonNode g : list.get("gates")) {
            if (g.get("name").asText().equals(gate)) {
                return g.get("open").asBoolean();
            }
        }
        throw new AssertionError("no gate " + gate);
    }

    private Properties owner() throws Exception {
        Properties owner = new Properties();
        try (InputStream in = Files.newInputStream(dataDir.resolve("iu-core.owner"))) {
            owner.load(in);
        }
        return owner;
    }

    private String query(String sql) throws Exception {
        String url = "jdbc:postgresql://127.0.0.1:" + owner().getProperty("port") + "/iu_core";
        String password = EmbeddedCredentials.read(dataDir).password("iu_core_owner");
        try (Connection c = DriverManager.getConnection(url, "iu_core_owner", password);
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
