package dev.iucore.pipeline.routes;

import dev.iucore.pipeline.config.CamelPlaceholders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.apache.camel.StartupSummaryLevel;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.EndpointRequiredDefinition;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Checks an operator's YAML route file: first against what an ops route may contain
 * ({@link OpsRouteRules}, an allowlist read on the YAML before Camel sees a byte of it), then
 * Camel's own reading of that same text in a context that is built but never started, so nothing
 * runs: every endpoint is resolved as the service would resolve it, and each problem is reported
 * with its line. Only a file that passed the allowlist reaches Camel, so nothing the check refuses
 * is ever created, not even by the check.
 */
public final class RouteFileValidator {

    public static final List<String> ALLOWED_SCHEMES = OpsEndpoint.ALLOWED_SCHEMES;

    private static final Pattern LINE = Pattern.compile("line (\\d+)");

    private final Properties properties;
    private final DataSource dataSource;

    /**
     * @param properties what {@code {{placeholders}}} resolve to: the service's configuration
     *     (only the keys {@link OpsText#PROPERTIES} allows are kept)
     * @param dataSource bound as {@code dataSource} so {@code sql:} endpoints resolve; never connected here
     */
    public RouteFileValidator(Map<String, String> properties, DataSource dataSource) {
        this.properties = new Properties();
        properties.forEach((key, value) -> {
            if (OpsText.PROPERTY_KEYS.contains(key)) {
                this.properties.setProperty(key, value);
            }
        });
        this.dataSource = dataSource;
    }

    /** The YAML files a path names: the file itself, or a directory's {@code *.yaml} files by name. */
    public static List<Path> routeFiles(Path fileOrDirectory) throws IOException {
        if (!Files.isDirectory(fileOrDirectory)) {
            return List.of(fileOrDirectory);
        }
        try (Stream<Path> files = Files.list(fileOrDirectory)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".yaml") && Files.isRegularFile(p))
                    .sorted().toList();
        }
    }

    public RouteFileReport validate(Path file) {
        try {
            return validate(file, Files.readString(file));
        } catch (IOException e) {
            return new RouteFileReport(file, List.of(), List.of(new RouteProblem(0, "cannot read the file: " + e)));
        }
    }

    /** The check of this text, read once from {@code file}: the text the service then loads, if it passes. */
    public RouteFileReport validate(Path file, String text) {
        List<String> ids = new ArrayList<>();
        List<RouteProblem> problems = new ArrayList<>();
        Optional<Node> document = Optional.empty();
        try {
            document = new Compose(LoadSettings.builder().setLabel("routes").build()).composeString(text);
            if (document.isEmpty()) {
                problems.add(new RouteProblem(0, "the file is empty: an ops route file is a list of `- route:` entries"));
            }
        } catch (MarkedYamlEngineException e) {
            problems.add(new RouteProblem(line(e), "invalid YAML: " + yamlProblem(e)));
        }
        document.ifPresent(node -> OpsRouteRules.check(node, ids, problems));
        if (problems.isEmpty()) {
            loadAndResolve(file, text, problems);
        }
        return new RouteFileReport(file, ids, problems);
    }

    /** Camel's own reading of the text, and every endpoint resolved, in a context that never starts. */
    private void loadAndResolve(Path file, String text, List<RouteProblem> problems) {
        DefaultCamelContext context = new DefaultCamelContext();
        try {
            context.getCamelContextExtension().setName("iu-core-route-check");
            context.setStartupSummaryLevel(StartupSummaryLevel.Off);
            context.disableJMX();
            CamelPlaceholders.onlyFromConfiguration(context.getPropertiesComponent());
            context.getPropertiesComponent().setInitialProperties(properties);
            context.getRegistry().bind("dataSource", dataSource);
            context.build();
            try {
                PluginHelper.getRoutesLoader(context).loadRoutes(ResourceHelper.fromString("file:" + file.toAbsolutePath(), text));
            } catch (Exception e) {
                problems.add(loadProblem(e));
                return;
            }
            for (RouteDefinition route : context.getRouteDefinitions()) {
                checkEndpoint(context, route.getInput().getEndpointUri(), route.getInput().getLineNumber(), problems);
                for (ProcessorDefinition<?> step : ProcessorDefinitionHelper.filterTypeInOutputs(route.getOutputs(),
                        ProcessorDefinition.class)) {
                    if (step instanceof EndpointRequiredDefinition endpoint) {
                        checkEndpoint(context, endpoint.getEndpointUri(), step.getLineNumber(), problems);
                    }
                }
            }
        } finally {
            context.stop();
        }
    }

    private static void checkEndpoint(DefaultCamelContext context, String uri, int line, List<RouteProblem> problems) {
        String resolved = resolve(context, uri, line, problems);
        if (resolved == null) {
            return;
        }
        try {
            context.getEndpoint(resolved);
        } catch (RuntimeException e) {
            problems.add(new RouteProblem(line, "endpoint " + uri + " cannot be resolved: " + firstLine(rootMessage(e))));
        }
    }

    private static String resolve(DefaultCamelContext context, String uri, int line, List<RouteProblem> problems) {
        try {
            return context.resolvePropertyPlaceholders(uri);
        } catch (RuntimeException e) {
            problems.add(new RouteProblem(line, firstLine(rootMessage(e))));
            return null;
        }
    }

    private static RouteProblem loadProblem(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MarkedYamlEngineException marked) {
                return new RouteProblem(line(marked), yamlProblem(marked));
            }
        }
        String message = rootMessage(e);
        Matcher m = LINE.matcher(message);
        return new RouteProblem(m.find() ? Integer.parseInt(m.group(1)) : 0, firstLine(message));
    }

    private static int line(MarkedYamlEngineException e) {
        return e.getProblemMark().or(e::getContextMark).map(mark -> mark.getLine() + 1).orElse(0);
    }

    private static String yamlProblem(MarkedYamlEngineException e) {
        String context = e.getContext();
        String problem = e.getProblem();
        return (context == null ? "" : context + ": ") + (problem == null ? firstLine(e.getMessage()) : problem);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    private static String firstLine(String text) {
        int newline = text.indexOf('\n');
        return (newline < 0 ? text : text.substring(0, newline)).strip();
    }
}
