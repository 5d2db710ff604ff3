package dev.iucore.pipeline.routes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.apache.camel.StartupSummaryLevel;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.DynamicRouterDefinition;
import org.apache.camel.model.EndpointRequiredDefinition;
import org.apache.camel.model.EnrichDefinition;
import org.apache.camel.model.PollEnrichDefinition;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RecipientListDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RoutingSlipDefinition;
import org.apache.camel.model.ToDynamicDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Checks an operator's YAML route file against the rules for ops routes, then loads it into a
 * Camel context that is built but never started, so nothing runs: every endpoint is resolved as
 * the service would resolve it, and each problem is reported with its line.
 *
 * <p>The rules: a file is a list of {@code - route:} entries, each with an {@code id} (a reload
 * replaces routes by id). Endpoints only of {@link #ALLOWED_SCHEMES}: ops routes schedule, call
 * the service's routes, log and run SQL as the runtime role; they never reach outside the process
 * (no http, https or kafka: outbound traffic leaves only through the route table, behind the
 * gates) and never touch files, processes or arbitrary classes (no file, exec, bean, class or
 * language endpoint, no {@code beans} block, no {@code beanType}). EIPs that compute their endpoint
 * at run time (recipientList, routingSlip, dynamicRouter, enrich, pollEnrich) cannot be checked and
 * are refused; {@code toD} and {@code wireTap} must write their scheme out.
 */
public final class RouteFileValidator {

    public static final List<String> ALLOWED_SCHEMES = List.of("timer", "quartz", "direct", "seda", "log", "sql");

    private static final Pattern LINE = Pattern.compile("line (\\d+)");
    private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*):");
    private static final List<Class<?>> RUNTIME_ENDPOINTS = List.of(RecipientListDefinition.class,
            RoutingSlipDefinition.class, DynamicRouterDefinition.class, EnrichDefinition.class, PollEnrichDefinition.class);

    private final Properties properties;
    private final DataSource dataSource;

    /**
     * @param properties what {@code {{placeholders}}} resolve to: the service's configuration
     * @param dataSource bound as {@code dataSource} so {@code sql:} endpoints resolve; never connected here
     */
    public RouteFileValidator(Map<String, String> properties, DataSource dataSource) {
        this.properties = new Properties();
        this.properties.putAll(properties);
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
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            return new RouteFileReport(file, List.of(), List.of(new RouteProblem(0, "cannot read the file: " + e)));
        }
        List<String> ids = new ArrayList<>();
        List<RouteProblem> problems = new ArrayList<>();
        checkStructure(text, ids, problems);
        if (problems.isEmpty()) {
            loadAndResolve(file, problems);
        }
        return new RouteFileReport(file, ids, problems);
    }

    /** The ops rules on the YAML itself, before Camel reads it: a {@code beans} block would be instantiated. */
    private static void checkStructure(String text, List<String> ids, List<RouteProblem> problems) {
        Optional<Node> document;
        try {
            document = new Compose(LoadSettings.builder().setLabel("routes").build()).composeString(text);
        } catch (MarkedYamlEngineException e) {
            problems.add(new RouteProblem(line(e), "invalid YAML: " + yamlProblem(e)));
            return;
        }
        if (document.isEmpty()) {
            problems.add(new RouteProblem(0, "the file is empty: an ops route file is a list of `- route:` entries"));
            return;
        }
        if (!(document.get() instanceof SequenceNode entries)) {
            problems.add(new RouteProblem(line(document.get()), "an ops route file is a list of `- route:` entries"));
            return;
        }
        Set<String> seen = new HashSet<>();
        for (Node entry : entries.getValue()) {
            if (!(entry instanceof MappingNode mapping) || mapping.getValue().size() != 1) {
                problems.add(new RouteProblem(line(entry), "each entry is one `route:`"));
                continue;
            }
            NodeTuple only = mapping.getValue().get(0);
            String kind = scalar(only.getKeyNode());
            if (!"route".equals(kind)) {
                problems.add(new RouteProblem(line(only.getKeyNode()), "`" + kind + "` is not allowed in an ops route file,"
                        + " only `route` entries (beans are the service's own: refer to them with `ref`)"));
                continue;
            }
            String id = routeId(only.getValueNode());
            if (id == null) {
                problems.add(new RouteProblem(line(only.getKeyNode()), "the route has no `id`: a reload replaces routes by id"));
            } else if (!seen.add(id)) {
                problems.add(new RouteProblem(line(only.getKeyNode()), "route id `" + id + "` is defined twice in this file"));
            } else {
                ids.add(id);
            }
            forbidKey(only.getValueNode(), "beanType", problems);
        }
    }

    private static String routeId(Node route) {
        if (route instanceof MappingNode mapping) {
            for (NodeTuple t : mapping.getValue()) {
                if ("id".equals(scalar(t.getKeyNode())) && t.getValueNode() instanceof ScalarNode value
                        && !value.getValue().isBlank()) {
                    return value.getValue();
                }
            }
        }
        return null;
    }

    private static void forbidKey(Node node, String key, List<RouteProblem> problems) {
        if (node instanceof MappingNode mapping) {
            for (NodeTuple t : mapping.getValue()) {
                if (key.equals(scalar(t.getKeyNode()))) {
                    problems.add(new RouteProblem(line(t.getKeyNode()), "`" + key + "` creates an object of any class;"
                            + " in an ops route refer to a bean of the service with `ref`"));
                }
                forbidKey(t.getValueNode(), key, problems);
            }
        } else if (node instanceof SequenceNode sequence) {
            sequence.getValue().forEach(n -> forbidKey(n, key, problems));
        }
    }

    /** Camel's own reading of the file, and every endpoint resolved, in a context that never starts. */
    private void loadAndResolve(Path file, List<RouteProblem> problems) {
        DefaultCamelContext context = new DefaultCamelContext();
        try {
            context.getCamelContextExtension().setName("iu-core-route-check");
            context.setStartupSummaryLevel(StartupSummaryLevel.Off);
            context.disableJMX();
            context.getPropertiesComponent().setInitialProperties(properties);
            context.getRegistry().bind("dataSource", dataSource);
            context.build();
            try {
                Resource resource = PluginHelper.getResourceLoader(context).resolveResource("file:" + file.toAbsolutePath());
                PluginHelper.getRoutesLoader(context).loadRoutes(resource);
            } catch (Exception e) {
                problems.add(loadProblem(e));
                return;
            }
            for (RouteDefinition route : context.getRouteDefinitions()) {
                checkEndpoint(context, route.getInput().getEndpointUri(), route.getInput().getLineNumber(), problems);
                for (ProcessorDefinition<?> step : ProcessorDefinitionHelper.filterTypeInOutputs(route.getOutputs(),
                        ProcessorDefinition.class)) {
                    checkStep(context, step, problems);
                }
            }
        } finally {
            context.stop();
        }
    }

    private static void checkStep(DefaultCamelContext context, ProcessorDefinition<?> step, List<RouteProblem> problems) {
        int line = step.getLineNumber();
        if (RUNTIME_ENDPOINTS.stream().anyMatch(type -> type.isInstance(step))) {
            problems.add(new RouteProblem(line, "`" + step.getShortName() + "` computes its endpoints at run time,"
                    + " which cannot be checked: not allowed in an ops route"));
        } else if (step instanceof ToDynamicDefinition dynamic) {
            String scheme = scheme(resolve(context, dynamic.getUri(), line, problems));
            if (scheme == null || scheme.contains("$")) {
                problems.add(new RouteProblem(line, "`" + step.getShortName() + "` must write its scheme out ("
                        + String.join(", ", ALLOWED_SCHEMES) + "), not compute it: " + dynamic.getUri()));
            } else {
                checkScheme(scheme, dynamic.getUri(), line, problems);
            }
        } else if (step instanceof EndpointRequiredDefinition endpoint) {
            checkEndpoint(context, endpoint.getEndpointUri(), line, problems);
        }
    }

    private static void checkEndpoint(DefaultCamelContext context, String uri, int line, List<RouteProblem> problems) {
        String resolved = resolve(context, uri, line, problems);
        if (resolved == null) {
            return;
        }
        String scheme = scheme(resolved);
        if (scheme == null) {
            problems.add(new RouteProblem(line, "not an endpoint URI: " + uri));
            return;
        }
        if (!checkScheme(scheme, uri, line, problems)) {
            return;
        }
        try {
            context.getEndpoint(resolved);
        } catch (RuntimeException e) {
            problems.add(new RouteProblem(line, "endpoint " + uri + " cannot be resolved: " + firstLine(rootMessage(e))));
        }
    }

    private static boolean checkScheme(String scheme, String uri, int line, List<RouteProblem> problems) {
        if (ALLOWED_SCHEMES.contains(scheme.toLowerCase(Locale.ROOT))) {
            return true;
        }
        problems.add(new RouteProblem(line, "endpoint scheme `" + scheme + "` is not allowed in an ops route (" + uri
                + "); allowed: " + String.join(", ", ALLOWED_SCHEMES)));
        return false;
    }

    private static String resolve(DefaultCamelContext context, String uri, int line, List<RouteProblem> problems) {
        try {
            return context.resolvePropertyPlaceholders(uri);
        } catch (RuntimeException e) {
            problems.add(new RouteProblem(line, firstLine(rootMessage(e))));
            return null;
        }
    }

    private static String scheme(String uri) {
        if (uri == null) {
            return null;
        }
        Matcher m = SCHEME.matcher(uri.trim());
        return m.find() ? m.group(1) : null;
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

    private static int line(Node node) {
        return node.getStartMark().map(Mark::getLine).map(l -> l + 1).orElse(0);
    }

    private static String yamlProblem(MarkedYamlEngineException e) {
        String context = e.getContext();
        String problem = e.getProblem();
        return (context == null ? "" : context + ": ") + (problem == null ? firstLine(e.getMessage()) : problem);
    }

    private static String scalar(Node node) {
        return node instanceof ScalarNode s ? s.getValue() : String.valueOf(node);
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
