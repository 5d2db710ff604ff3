package dev.iucore.pipeline.service;

import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.config.CamelCliConnector;
import dev.iucore.pipeline.config.CamelPlaceholders;
import dev.iucore.pipeline.config.ConfigurationException;
import dev.iucore.pipeline.config.NodeId;
import dev.iucore.pipeline.config.Settings;
import dev.iucore.pipeline.health.CoreRoutesReadiness;
import dev.iucore.pipeline.metrics.PerDeliveryRoutes;
import dev.iucore.pipeline.metrics.PipelineMetrics;
import dev.iucore.pipeline.routes.OpsRoutes;
import dev.iucore.pipeline.tracing.Tracing;
import dev.iucore.pipeline.verify.InterruptedRuns;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.cli.connector.DefaultCliConnectorFactory;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.DefaultMainShutdownStrategy;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The long-lived service: Camel Main with the runtime DataSource bound as {@code dataSource}, the
 * packaged YAML routes and then the operator's routes directory, and the management server's
 * health checks and metrics (Camel's and ours, in one Prometheus registry). {@link #run()} blocks
 * until {@link #stop()} is called (by a signal), then shuts Camel down gracefully.
 */
public final class PipelineService {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineService.class);
    static final String PACKAGED_ROUTES = "classpath:routes/*.yaml";

    private final Main main;
    private final PrometheusMeterRegistry registry;
    private final PipelineMetrics metrics;
    private final OpsRoutes opsRoutes;
    private final String managementServer;
    private final DataSource dataSource;
    private final String node;
    private volatile boolean started;
    /** Why the service stopped itself right after starting (its management port was taken); null otherwise. */
    private volatile RuntimeException startFailure;

    /**
     * @param scheduler Quartz's own pool (the scheduler role, the only one that writes {@code qrtz_*});
     *        empty: Quartz keeps its schedule in memory
     */
    public PipelineService(Settings settings, DataSource dataSource, Optional<DataSource> scheduler) {
        this(settings, dataSource, scheduler, Tracing.fromEnvironment());
    }

    /** @param tracing the relay's spans (README "Traces"); shut down, and so flushed, when the service stops */
    public PipelineService(Settings settings, DataSource dataSource, Optional<DataSource> scheduler, Tracing tracing) {
        this.main = new Main();
        this.dataSource = dataSource;
        this.node = NodeId.of(settings);
        main.setAppName("iu-core");
        managementServer = managementServer(settings);
        // camel-cli-connector writes a control channel under the real home of the service's user:
        // off unless the operator asks for it, and then started only once the context has, since
        // Camel's own start of it races the context's (CamelCliConnector). Camel Main takes the
        // factory bound here over its own.
        DefaultCliConnectorFactory cliConnector = new DefaultCliConnectorFactory();
        cliConnector.setEnabled(false);
        main.bind("cliConnectorFactory", cliConnector);
        ServiceBeans beans = ServiceBeans.bind(main::bind, main::getCamelContext, settings, dataSource, scheduler, tracing);
        registry = beans.registry();
        metrics = beans.metrics();
        CoreRoutesReadiness coreRoutes = beans.coreRoutes();
        RelayComponents relay = beans.relay();
        Properties initial = new Properties();
        initial.putAll(settings.camelProperties());
        main.setInitialProperties(initial);
        opsRoutes = OpsRoutes.of(settings, dataSource, metrics);
        main.setOverrideProperties(overrides(settings));
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void beforeConfigure(BaseMainSupport configuring) {
                CamelPlaceholders.onlyFromConfiguration(configuring.getCamelContext().getPropertiesComponent());
            }

            @Override
            public void afterConfigure(BaseMainSupport configured) {
                PerDeliveryRoutes.withoutCamelRouteStatistics(configured.getCamelContext());
            }

            @Override
            public void afterStart(BaseMainSupport started) {
                Optional<ConfigurationException> unbound = ManagementPort.unbound(started.getCamelContext(), settings);
                if (unbound.isPresent()) {
                    // another process took the port after run's own check: stop rather than run unobserved
                    startFailure = unbound.get();
                    LOG.error("iu-core stops: {}", startFailure.getMessage());
                    main.completed();
                    return;
                }
                if (settings.getBoolean(Setting.CLI_CONNECTOR)) {
                    CamelCliConnector.startAfterTheContext(started.getCamelContext());
                }
                relay.started(started.getCamelContext());
                coreRoutes.started(started.getCamelContext());
                if (opsRoutes != null) {
                    opsRoutes.start(started.getCamelContext());
                }
                LOG.info("iu-core ready: {} routes started{}", started.getCamelContext().getRoutes().size(),
                        managementServer);
                PipelineService.this.started = true;
            }

            @Override
            public void afterStop(BaseMainSupport stopped) {
                relay.stopped();
                registry.close();
                tracing.close();
            }
        });
        // the process installs its own signal handling, so the database outlives Camel's shutdown
        if (main.getShutdownStrategy() instanceof DefaultMainShutdownStrategy strategy) {
            strategy.disableHangupSupport();
        }
    }

    /**
     * Camel's keys as our configuration resolved them (packaged file, then {@code IU_CONFIG_FILE},
     * then {@code -D}) win over the packaged file Camel reads itself; Camel's own {@code CAMEL_*}
     * environment variables still win over both. Camel loads the packaged routes only: the
     * operator's are checked and applied by {@link OpsRoutes} once these run.
     */
    private static Properties overrides(Settings settings) {
        Properties override = new Properties();
        settings.camelProperties().forEach((key, value) -> {
            if (key.startsWith("camel.")) {
                override.setProperty(key, value);
            }
        });
        override.setProperty("camel.main.routes-include-pattern", PACKAGED_ROUTES);
        return override;
    }

    /** Starts Camel and blocks until {@link #stop()}; then stops Camel gracefully. */
    public void run() throws Exception {
        // before Quartz can start a run of this node: only runs of a process that ended are closed
        for (UUID run : InterruptedRuns.close(dataSource, node, NodeId.host())) {
            LOG.warn("batch run {} was left running by a process that ended: recorded as failed (interrupted)", run);
        }
        main.run();
        if (startFailure != null) {
            throw startFailure;
        }
    }

    /** Asks a running service to shut down; returns at once, {@link #run()} returns when done. */
    public void stop() {
        LOG.info("shutdown requested");
        main.completed();
    }

    /** True once everything runs: the routes, the outbox listener, the watch on the routes directory. */
    public boolean started() {
        return started;
    }

    /** The Camel context once started; null before. */
    public CamelContext camelContext() {
        return main.getCamelContext();
    }

    /** The operator's routes directory; null when {@code iu.routes-dir} is not set. */
    public OpsRoutes opsRoutes() {
        return opsRoutes;
    }

    /** Our meters: where batches running in the service count what they did (scaleout, for one). */
    public PipelineMetrics metrics() {
        return metrics;
    }

    /**
     * Where health and metrics really are: Camel's own endpoint listing prints 0.0.0.0 whatever the
     * bind address (its logger is quiet in logback.xml), which would tell an operator it is exposed.
     */
    private static String managementServer(Settings settings) {
        if (!settings.raw("camel.management.enabled").map(Boolean::parseBoolean).orElse(false)) {
            return "";
        }
        return "; health and metrics on http://" + settings.raw("camel.management.host").orElse("0.0.0.0") + ":"
                + settings.raw("camel.management.port").orElse("8080") + "/observe (health, health/ready, metrics)";
    }
}
