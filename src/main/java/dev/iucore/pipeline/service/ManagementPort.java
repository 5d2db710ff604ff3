package dev.iucore.pipeline.service;

import dev.iucore.pipeline.config.ConfigurationException;
import dev.iucore.pipeline.config.Settings;
import io.vertx.core.net.impl.TCPServerBase;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Optional;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;

/**
 * The management server's port (health, readiness, metrics) as a start-up decision. Camel's
 * server binds it asynchronously: when another process holds the port, Vert.x logs an
 * "Unhandled exception" and the service runs on without health or metrics, which a load balancer
 * or Prometheus only notices as silence. {@code run} refuses to start instead, naming the setting
 * that gives each process on a host its own port.
 */
public final class ManagementPort {

    public static final String ENABLED = "camel.management.enabled";
    public static final String HOST = "camel.management.host";
    public static final String PORT = "camel.management.port";

    private ManagementPort() {
    }

    /**
     * Before anything starts: the configured address can be bound now. Another process may still
     * take it before Camel binds; {@link #unbound} catches that once Camel runs.
     *
     * @throws ConfigurationException naming {@code camel.management.port} when the port is taken
     */
    public static void ensureFree(Settings settings) {
        if (!enabled(settings)) {
            return;
        }
        String host = host(settings);
        int port = port(settings);
        if (port == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            // as Vert.x binds: a socket of a stopped predecessor in TIME_WAIT does not count as taken
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw inUse(host, port, e.getMessage());
        }
    }

    /** Once Camel started: the problem if the management server did not get its port, else empty. */
    static Optional<ConfigurationException> unbound(CamelContext context, Settings settings) {
        if (!enabled(settings) || port(settings) == 0) {
            return Optional.empty();
        }
        int port = port(settings);
        for (VertxPlatformHttpServer server : context.hasServices(VertxPlatformHttpServer.class)) {
            // Vert.x keeps the requested port as the actual one of a server whose bind failed; only
            // its server base says whether it listens (Vert.x 4's; another implementation is not checked)
            if (server.getConfigurationPort() == port && server.getServer() instanceof TCPServerBase base && !base.isListening()) {
                return Optional.of(inUse(host(settings), port, "the management server could not bind it"));
            }
        }
        return Optional.empty();
    }

    private static ConfigurationException inUse(String host, int port, String reason) {
        return new ConfigurationException("the management port " + host + ":" + port + " is already in use (" + reason
                + "), so this process would run without health checks or metrics: give each iu-core process on a host"
                + " its own " + PORT + " (env CAMEL_MANAGEMENT_PORT), e.g. one per instance of the systemd template"
                + " unit iu-core@.service (deploy/RUNBOOK.md, \"Several nodes on one host\")");
    }

    private static boolean enabled(Settings settings) {
        return settings.raw(ENABLED).map(v -> Boolean.parseBoolean(v.strip())).orElse(false);
    }

    private static String host(Settings settings) {
        return settings.raw(HOST).map(String::strip).orElse("0.0.0.0");
    }

    private static int port(Settings settings) {
        String value = settings.raw(PORT).map(String::strip).orElse("8080");
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new ConfigurationException(PORT + " (env CAMEL_MANAGEMENT_PORT) must be a port number, not \"" + value + "\"");
        }
    }
}
