package dev.iucore.pipeline.routes;

import dev.iucore.pipeline.config.ConfigurationException;
import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.config.Settings;
import dev.iucore.pipeline.metrics.PipelineMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.FileWatcherResourceReloadStrategy;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's routes directory, {@code iu.routes-dir}: its {@code *.yaml} files are loaded after
 * the packaged routes, and reloaded when one changes, so a schedule can change or a route be added
 * without a rebuild. Every file is checked first ({@link RouteFileValidator}): a file that fails is
 * left out with one ERROR line saying why, and the routes that were running keep running. A file
 * that passes but whose routes then fail to start is undone: its previous version is loaded again.
 *
 * <p>Camel's own {@code camel.main.routes-reload-enabled} would apply an edit unchecked, so the
 * service watches the directory itself with Camel's file watcher and applies a checked file with
 * Camel's routes loader ({@code updateRoutes}: routes are replaced by id, the others untouched).
 * A deleted file's routes keep running until the next start.
 */
public final class OpsRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(OpsRoutes.class);

    private final Path directory;
    private final boolean reload;
    private final RouteFileValidator validator;
    private final PipelineMetrics metrics;
    /** The text each file had when it was last applied: what a failed start goes back to. */
    private final Map<Path, String> applied = new ConcurrentHashMap<>();

    private OpsRoutes(Path directory, boolean reload, RouteFileValidator validator, PipelineMetrics metrics) {
        this.directory = directory;
        this.reload = reload;
        this.validator = validator;
        this.metrics = metrics;
    }

    /** Null when {@code iu.routes-dir} is not set. */
    public static OpsRoutes of(Settings settings, DataSource dataSource, PipelineMetrics metrics) {
        return settings.optional(Setting.ROUTES_DIR).map(dir -> {
            Path path = Path.of(dir).toAbsolutePath().normalize();
            if (!Files.isDirectory(path)) {
                throw new ConfigurationException(Setting.ROUTES_DIR.key() + " (env " + Setting.ROUTES_DIR.envName()
                        + ") names " + path + ", which is not a directory");
            }
            return new OpsRoutes(path, settings.getBoolean(Setting.ROUTES_RELOAD),
                    new RouteFileValidator(settings.asMap(), dataSource), metrics);
        }).orElse(null);
    }

    /**
     * Camel's include pattern: the packaged routes, then each file of the directory that passes the
     * check. A file that fails is left out, so one bad edit never keeps the service from starting.
     */
    public String includePattern(String packaged) {
        List<String> patterns = new ArrayList<>(List.of(packaged));
        try {
            for (Path file : RouteFileValidator.routeFiles(directory)) {
                RouteFileReport report = validator.validate(file);
                if (report.valid()) {
                    patterns.add("file:" + file);
                    applied.put(file, Files.readString(file));
                    metrics.opsRouteFile("applied");
                } else {
                    rejected(report, "left out at start; the other routes start without it");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the routes directory " + directory + ": " + e.getMessage(), e);
        }
        return String.join(",", patterns);
    }

    /** Once Camel runs: watch the directory (unless {@code iu.routes-reload=false}). */
    public void watch(CamelContext context) {
        if (!reload) {
            return;
        }
        FileWatcherResourceReloadStrategy watcher = new FileWatcherResourceReloadStrategy(directory.toString());
        watcher.setFileFilter(file -> file.getName().endsWith(".yaml"));
        watcher.setResourceReload((name, resource) -> changed(context, Path.of(name).toAbsolutePath(), resource));
        try {
            context.addService(watcher, true, true);
        } catch (Exception e) {
            throw new IllegalStateException("cannot watch the routes directory " + directory + ": " + e.getMessage(), e);
        }
    }

    private void changed(CamelContext context, Path file, Resource resource) {
        if (!Files.exists(file)) {
            return;
        }
        RouteFileReport report = validator.validate(file);
        if (!report.valid()) {
            rejected(report, "not applied; the running routes are unchanged");
            return;
        }
        String text;
        try {
            text = Files.readString(file);
            Set<String> ids = PluginHelper.getRoutesLoader(context).updateRoutes(List.of(resource));
            applied.put(file, text);
            metrics.opsRouteFile("applied");
            LOG.info("routes file {} applied: {}", file, String.join(", ", ids));
        } catch (Exception e) {
            restore(context, file, report.routes());
            metrics.opsRouteFile("rejected");
            LOG.error("routes file {} rejected: its routes did not start ({}); the routes that ran before are running again",
                    file, e.getMessage());
        }
    }

    /** Back to the file's last applied version; routes it did not have are removed. */
    private void restore(CamelContext context, Path file, List<String> attempted) {
        Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
        try {
            List<RouteDefinition> failed = attempted.stream().map(model::getRouteDefinition)
                    .filter(java.util.Objects::nonNull).toList();
            model.removeRouteDefinitions(failed);
            String previous = applied.get(file);
            if (previous != null) {
                PluginHelper.getRoutesLoader(context).updateRoutes(
                        List.of(ResourceHelper.fromString("file:" + file, previous)));
            }
        } catch (Exception e) {
            LOG.error("routes file {}: the routes that ran before could not be restored: {}", file, e.getMessage());
        }
    }

    private void rejected(RouteFileReport report, String consequence) {
        metrics.opsRouteFile("rejected");
        LOG.error("routes file {} rejected, {}: {}", report.file(), consequence, report.summary());
    }
}
