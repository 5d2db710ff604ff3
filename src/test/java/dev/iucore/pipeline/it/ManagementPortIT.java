package dev.iucore.pipeline.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.ServiceJar;
import dev.iucore.pipeline.testing.TestDb;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Several processes on one host (issue 14): a `run` whose management port is taken refuses to
 * start, exit 1, naming the setting that gives it another port, instead of running on without
 * health checks or metrics. Against a real second service and against a port another program holds.
 */
class ManagementPortIT {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static Map<String, String> env(String node, int managementPort) {
        // INFO: the ready line names the management server's address
        Map<String, String> env = new HashMap<>(ServiceJar.environment(DB.db().url(), node, Map.of(Setting.LOG_LEVEL, "INFO")));
        env.put("CAMEL_MANAGEMENT_PORT", Integer.toString(managementPort));
        return env;
    }

    private static void assertRefused(JarProcess.Result second, int port) {
        assertThat(second.exitCode()).as(second.output()).isEqualTo(1);
        assertThat(second.output())
                .contains("the management port 127.0.0.1:" + port + " is already in use")
                .contains("camel.management.port").contains("CAMEL_MANAGEMENT_PORT").contains("iu-core@.service")
                .doesNotContain("iu-core ready").doesNotContain("Unhandled exception");
    }

    @Test
    void aSecondServiceOnTheSameManagementPortRefusesToStartAndTheFirstServesOn() throws Exception {
        try (ServiceJar first = ServiceJar.start(DB.db(), "port-first", Map.of())) {
            JarProcess.Result second = JarProcess.run(env("port-second", first.managementPort()), "run");
            assertRefused(second, first.managementPort());
            assertThat(first.alive()).isTrue();
            // the refused start is on record, beside the first one's
            assertThat(DB.db().queryLong("""
                    SELECT count(*) FROM iu_command_log WHERE command_name = 'run' AND node = 'port-second'
                       AND outcome <> 'ok' AND exit_code = 1""")).isEqualTo(1);
        }
    }

    @Test
    void aPortAnotherProgramHoldsIsRefusedBeforeTheDatabaseIsTouched() throws Exception {
        try (ServerSocket held = new ServerSocket()) {
            held.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            JarProcess.Result run = JarProcess.run(env("port-held", held.getLocalPort()), "run");
            assertRefused(run, held.getLocalPort());
        }
    }

    @Test
    void aFreePortStartsAsBefore() throws Exception {
        int port = TestDb.freePort();
        try (JarProcess run = JarProcess.start(env("port-free", port), "run")) {
            run.awaitLine("health and metrics on http://127.0.0.1:" + port, java.time.Duration.ofSeconds(120));
            assertThat(run.alive()).isTrue();
        }
    }
}
