package dev.iucore.pipeline.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.iucore.pipeline.config.ConfigurationException;
import dev.iucore.pipeline.config.Settings;
import dev.iucore.pipeline.testing.DatabaseExtension;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A management port another process holds: refused before start, and, when it was taken after that
 * check (the race between two processes starting together), the service stops itself once Camel
 * started instead of running on without health and metrics.
 */
class ManagementPortTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static ServerSocket held() throws Exception {
        ServerSocket socket = new ServerSocket();
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return socket;
    }

    private static Settings on(int port) {
        return DB.db().settings().withProperty(ManagementPort.PORT, Integer.toString(port));
    }

    @Test
    void aHeldPortIsRefusedNamingTheSettingAndAFreeOneIsNot() throws Exception {
        try (ServerSocket held = held()) {
            assertThatThrownBy(() -> ManagementPort.ensureFree(on(held.getLocalPort())))
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("127.0.0.1:" + held.getLocalPort() + " is already in use")
                    .hasMessageContaining("camel.management.port (env CAMEL_MANAGEMENT_PORT)");
        }
        int free;
        try (ServerSocket probe = held()) {
            free = probe.getLocalPort();
        }
        assertThatCode(() -> ManagementPort.ensureFree(on(free))).doesNotThrowAnyException();
        assertThatCode(() -> ManagementPort.ensureFree(on(free).withProperty(ManagementPort.ENABLED, "false")))
                .doesNotThrowAnyException();
    }

    @Test
    @Timeout(180) // a missed bind failure leaves run() waiting for a stop that never comes
    void aPortTakenAfterTheCheckStopsTheServiceOnceCamelStartedWithTheSameMessage() throws Exception {
        try (ServerSocket held = held()) {
            PipelineService service = new PipelineService(on(held.getLocalPort()), DB.db().runtime(), Optional.empty());
            assertThatThrownBy(service::run)
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("is already in use")
                    .hasMessageContaining("camel.management.port");
            assertThat(service.started()).as("never announced ready").isFalse();
        }
    }
}
