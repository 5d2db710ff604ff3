package dev.iucore.pipeline.service;

import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.DefaultMainShutdownStrategy;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The long-lived service: Camel Main with the runtime DataSource bound as {@code dataSource}, the
 * packaged YAML routes and then the operator's routes directory. {@link #run()} blocks until
 * {@link #stop()} is called (by a signal), then shuts Camel down gracefully.
 */
public final class PipelineService {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineService.class);
    static final String PACKAGED_ROUTES = "classpath:routes/*.yaml";

    private final Main main;

    public PipelineService(Settings settings, DataSource dataSource) {
        this.main = new Main();
        main.setAppName("iu-core");
        main.bind("dataSource", dataSource);
        // the scheduled routes' quartz: clustered JobStore on this database, one firing per trigger across nodes
        main.bind("quartz", ClusteredQuartz.component(settings, dataSource));
        Properties initial = new Properties();
        initial.putAll(settings.asMap());
        main.setInitialProperties(initial);
        // wins over application.properties, which names the packaged routes only
        Properties override = new Properties();
        override.setProperty("camel.main.routes-include-pattern", routesIncludePattern(settings));
        main.setOverrideProperties(override);
        RelayComponents relay = RelayComponents.bind(main, settings, dataSource);
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterStart(BaseMainSupport started) {
                relay.started(started.getCamelContext());
                LOG.info("iu-core ready: {} routes started", started.getCamelContext().getRoutes().size());
            }

            @Override
            public void afterStop(BaseMainSupport stopped) {
                relay.stopped();
            }
        });
        // the process installs its own signal handling, so the database outlives Camel's shutdown
        if (main.getShutdownStrategy() instanceof DefaultMainShutdownStrategy strategy) {
            strategy.disableHangupSupport();
        }
    }

    static String routesIncludePattern(Settings settings) {
        return settings.optional(Setting.ROUTES_DIR)
                .map(dir -> {
                    Path path = Path.of(dir).toAbsolutePath().normalize();
                    if (!Files.isDirectory(path)) {
                        throw new dev.iucore.pipeline.config.ConfigurationException(Setting.ROUTES_DIR.key() + " (env "
                                + Setting.ROUTES_DIR.envName() + ") names " + path + ", which is not a directory");
                    }
                    return PACKAGED_ROUTES + ",file:" + path + "/*.yaml";
                })
                .orElse(PACKAGED_ROUTES);
    }

    /** Starts Camel and blocks until {@link #stop()}; then stops Camel gracefully. */
    public void run() throws Exception {
        main.run();
    }

    /** Asks a running service to shut down; returns at once, {@link #run()} returns when done. */
    public void stop() {
        LOG.info("shutdown requested");
        main.completed();
    }

    /** The Camel context once started; null before. */
    public CamelContext camelContext() {
        return main.getCamelContext();
    }
}
