package dev.iucore.pipeline.routes;

import dev.iucore.pipeline.config.ConfigurationException;
import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.config.Settings;
import dev.iucore.pipeline.metrics.PipelineMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.support.FileWatcherResourceReloadStrategy;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's routes directory, {@code iu.routes-dir}: once the packaged routes run, each of its
 * {@code *.yaml} files is applied, and again when one changes, so a schedule can change or a route
 * be added without a rebuild. A file is read once; that text is checked ({@link RouteFileValidator})
 * and that same text is what Camel loads, never the file again, so an edit after the check cannot
 * slip in. A file that fails the check is left out with one ERROR line saying why, and the routes
 * that were running keep running. A file that passes but whose routes then fail to start is undone:
 * what ran before under its route ids (the packaged route it meant to replace, or the file's
 * previous version) runs again.
 *
 * <p>Camel's own {@code camel.main.routes-reload-enabled} would apply an edit unchecked, and an
 * include pattern built from file names would let a name such as {@code zz-*.yaml} match files the
 * check rejected; so the service watches the directory itself with Camel's file watcher and applies
 * a checked text with Camel's routes loader ({@code updateRoutes}: routes are replaced by id, the
 * others untouched). A deleted file's routes keep running until the next start.
 */
public final class OpsRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(OpsRoutes.class);

    private final Path directory;
    private final boolean reload;
    private final RouteFileValidator validator;
    private final PipelineMetrics metrics;

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
                    new RouteFileValidator(settings.camelProperties(), dataSource), metrics);
        }).orElse(null);
    }

    /**
     * Once the packaged routes run: each file of the directory, by name, then the watch on it
     * (unless {@code iu.routes-reload=false}). A file that fails is left out, so one bad edit never
     * keeps the service from starting.
     */
    public void start(CamelContext context) {
        try {
            for (Path file : RouteFileValidator.routeFiles(directory)) {
                apply(context, file, "left out at start; the other routes start without it");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the routes directory " + directory + ": " + e.getMessage(), e);
        }
        if (reload) {
            watch(context);
        }
    }

    private void watch(CamelContext context) {
        FileWatcherResourceReloadStrategy watcher = new FileWatcherResourceReloadStrategy(directory.toString());
        watcher.setFileFilter(file -> file.getName().endsWith(".yaml"));
        // the watcher's resource would read the file again: the file is read once, in apply
        watcher.setResourceReload((name, resource) -> {
            Path file = Path.of(name).toAbsolutePath();
            if (Files.isRegularFile(file)) {
                apply(context, file, "not applied; the running routes are unchanged");
            }
        });
        try {
            context.addService(watcher, true, true);
        } catch (Exception e) {
            throw new IllegalStateException("cannot watch the routes directory " + directory + ": " + e.getMessage(), e);
        }
    }

    private void apply(CamelContext context, Path file, String consequence) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            rejected(new RouteFileReport(file, List.of(), List.of(new RouteProblem(0, "cannot read the file: " + e))), consequence);
            return;
        }
        apply(context, file, text, consequence);
    }

    /**
     * Checks {@code text} and, if it passes, loads exactly it as the file's routes.
     *
     * @return whether its routes run now
     */
    public boolean apply(CamelContext context, Path file, String text, String consequence) {
        RouteFileReport report = validator.validate(file, text);
        if (!report.valid()) {
            rejected(report, consequence);
            return false;
        }
        Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
        String location = "file:" + file;
        List<RouteDefinition> before = model.getRouteDefinitions().stream()
                .filter(r -> report.routes().contains(r.getRouteId())
                        || r.getResource() != null && location.equals(r.getResource().getLocation()))
                .toList();
        try {
            Set<String> ids = PluginHelper.getRoutesLoader(context).updateRoutes(List.of(ResourceHelper.fromString(location, text)));
            metrics.opsRouteFile("applied");
            LOG.info("routes file {} applied: {}", file, String.join(", ", ids));
            return true;
        } catch (Exception e) {
            restore(model, file, report.routes(), before);
            metrics.opsRouteFile("rejected");
            LOG.error("routes file {} rejected: its routes did not start ({}); the routes that ran before are running again",
                    file, e.getMessage());
            return false;
        }
    }

    /** What ran before under the file's ids and from the file runs again; routes only the failed text had are removed. */
    private static void restore(Model model, Path file, List<String> attempted, List<RouteDefinition> before) {
        try {
            model.removeRouteDefinitions(attempted.stream().map(model::getRouteDefinition).filter(Objects::nonNull).toList());
            model.addRouteDefinitions(before.stream().filter(r -> model.getRouteDefinition(r.getRouteId()) == null).toList());
        } catch (Exception e) {
            LOG.error("routes file {}: the routes that ran before could not be restored: {}", file, e.getMessage());
        }
    }

    private void rejected(RouteFileReport report, String consequence) {
        metrics.opsRouteFile("rejected");
        LOG.error("routes file {} rejected, {}: {}", report.file(), consequence, report.summary());
    }
}
