package dev.iucore.pipeline.routes;

import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * What an ops route file may contain, read on the YAML itself before Camel sees it: a list of
 * {@code - route:} entries with an {@code id}, a {@code description} and a {@code from}, whose steps
 * are only the EIPs of {@link #STEPS} with only the keys listed there. Everything else is refused,
 * so what the file may do is this list, not what a list of forbidden things forgot: no
 * {@code beans}, no {@code errorHandler} of a route (its dead-letter URI is an endpoint), no
 * {@code bean} step, no {@code toD} (a URI computed at run time can carry any option, a bean
 * reference too), no languages but {@code simple}, {@code constant} and {@code header}, no YAML
 * anchors or tags. Every value is checked by {@link OpsText}, every endpoint by {@link OpsEndpoint}.
 */
final class OpsRouteRules {

    private static final Set<String> EXPRESSIONS = Set.of("simple", "constant", "header");
    private static final Set<String> NAMED = Set.of("id", "description");
    private static final Map<String, Set<String>> STEPS = steps();
    /** Steps that may be a plain value: {@code - to: direct:x}, {@code - log: "text"}. */
    private static final Set<String> SHORT_FORMS = Set.of("to", "log", "removeHeader");

    private static Map<String, Set<String>> steps() {
        Map<String, Set<String>> steps = new LinkedHashMap<>();
        steps.put("to", Set.of("uri", "parameters"));
        steps.put("log", Set.of("message", "loggingLevel", "logName"));
        steps.put("setHeader", withExpressions("name"));
        steps.put("removeHeader", Set.of("name"));
        steps.put("setBody", EXPRESSIONS);
        steps.put("transform", EXPRESSIONS);
        steps.put("filter", withExpressions("steps"));
        steps.put("split", withExpressions("steps"));
        steps.put("choice", Set.of("when", "otherwise"));
        steps.put("delay", EXPRESSIONS);
        steps.put("stop", Set.of());
        return steps;
    }

    private static Set<String> withExpressions(String... keys) {
        Set<String> all = new HashSet<>(EXPRESSIONS);
        all.addAll(List.of(keys));
        return Set.copyOf(all);
    }

    static final List<String> ALLOWED_STEPS = List.copyOf(STEPS.keySet());

    private final List<String> ids;
    private final List<RouteProblem> problems;
    private final Set<Node> anchored = Collections.newSetFromMap(new IdentityHashMap<>());

    private OpsRouteRules(List<String> ids, List<RouteProblem> problems) {
        this.ids = ids;
        this.problems = problems;
    }

    /** Adds the route ids of the file to {@code ids} and what breaks the rules to {@code problems}. */
    static void check(Node document, List<String> ids, List<RouteProblem> problems) {
        OpsRouteRules rules = new OpsRouteRules(ids, problems);
        if (rules.yaml(document)) {
            rules.file(document);
        }
    }

    /**
     * Plain YAML only (an anchor could share a checked node with an unchecked place, a tag could
     * make a class), and every value checked; false when the tree is not plain enough to walk.
     */
    private boolean yaml(Node node) {
        if (node.getAnchor().isPresent()) {
            // an alias is the anchored node itself: one problem for both
            return !anchored.add(node) || problem(node, "YAML anchors and aliases are not allowed in an ops route file");
        }
        if (!node.getTag().equals(Tag.STR) && !node.getTag().equals(Tag.INT) && !node.getTag().equals(Tag.BOOL)
                && !node.getTag().equals(Tag.FLOAT) && !node.getTag().equals(Tag.NULL)
                && !node.getTag().equals(Tag.SEQ) && !node.getTag().equals(Tag.MAP)) {
            return problem(node, "YAML tag " + node.getTag() + " is not allowed in an ops route file");
        }
        boolean plain = true;
        if (node instanceof MappingNode mapping) {
            for (NodeTuple t : mapping.getValue()) {
                plain &= yaml(t.getKeyNode()) && yaml(t.getValueNode());
            }
        } else if (node instanceof SequenceNode sequence) {
            for (Node item : sequence.getValue()) {
                plain &= yaml(item);
            }
        } else if (node instanceof ScalarNode scalar) {
            OpsText.check(scalar.getValue()).ifPresent(message -> problem(node, message));
        }
        return plain;
    }

    private void file(Node document) {
        if (!(document instanceof SequenceNode entries)) {
            problem(document, "an ops route file is a list of `- route:` entries");
            return;
        }
        Set<String> seen = new HashSet<>();
        for (Node entry : entries.getValue()) {
            if (!(entry instanceof MappingNode mapping) || mapping.getValue().size() != 1) {
                problem(entry, "each entry is one `route:`");
                continue;
            }
            NodeTuple only = mapping.getValue().get(0);
            String kind = scalar(only.getKeyNode());
            if (!"route".equals(kind)) {
                problem(only.getKeyNode(), "`" + kind + "` is not allowed in an ops route file, only `route` entries");
                continue;
            }
            Map<String, Node> route = keys(only.getValueNode(), Set.of("id", "description", "from"), "a route");
            if (route == null) {
                continue;
            }
            String id = route.get("id") instanceof ScalarNode value && !value.getValue().isBlank() ? value.getValue() : null;
            if (id == null) {
                problem(only.getKeyNode(), "the route has no `id`: a reload replaces routes by id");
            } else if (!seen.add(id)) {
                problem(only.getKeyNode(), "route id `" + id + "` is defined twice in this file");
            } else {
                ids.add(id);
            }
            Node from = route.get("from");
            if (from == null) {
                problem(only.getKeyNode(), "the route has no `from`");
                continue;
            }
            Map<String, Node> input = keys(from, Set.of("uri", "parameters", "steps", "id", "description"), "`from`");
            if (input != null) {
                endpoint(from, input.get("uri"), input.get("parameters"));
                steps(input.get("steps"));
            }
        }
    }

    private void steps(Node steps) {
        if (steps == null) {
            return;
        }
        if (!(steps instanceof SequenceNode list)) {
            problem(steps, "`steps` is a list");
            return;
        }
        for (Node step : list.getValue()) {
            step(step);
        }
    }

    private void step(Node step) {
        if (!(step instanceof MappingNode mapping) || mapping.getValue().size() != 1) {
            problem(step, "each step is one EIP, such as `- to: direct:x`");
            return;
        }
        NodeTuple only = mapping.getValue().get(0);
        String eip = scalar(only.getKeyNode());
        Set<String> allowed = STEPS.get(eip);
        if (allowed == null) {
            problem(only.getKeyNode(), "step `" + eip + "` is not allowed in an ops route; allowed: " + String.join(", ", ALLOWED_STEPS));
            return;
        }
        Node value = only.getValueNode();
        if (value instanceof ScalarNode shortForm && SHORT_FORMS.contains(eip)) {
            if (eip.equals("to")) {
                endpoint(value, value, null);
            }
            return;
        }
        Set<String> keys = new HashSet<>(allowed);
        keys.addAll(NAMED);
        Map<String, Node> fields = keys(value, keys, "`" + eip + "`");
        if (fields == null) {
            return;
        }
        fields.forEach((key, node) -> {
            if (EXPRESSIONS.contains(key)) {
                expression(node);
            }
        });
        switch (eip) {
            case "to" -> endpoint(value, fields.get("uri"), fields.get("parameters"));
            case "filter", "split" -> steps(fields.get("steps"));
            case "choice" -> choice(fields);
            default -> {
            }
        }
    }

    private void choice(Map<String, Node> fields) {
        Node when = fields.get("when");
        if (when instanceof SequenceNode branches) {
            for (Node branch : branches.getValue()) {
                Map<String, Node> condition = keys(branch, withExpressions("steps", "id", "description"), "a `when`");
                if (condition != null) {
                    condition.forEach((key, node) -> {
                        if (EXPRESSIONS.contains(key)) {
                            expression(node);
                        }
                    });
                    steps(condition.get("steps"));
                }
            }
        } else if (when != null) {
            problem(when, "`when` is a list of conditions, each with its `steps`");
        }
        Node otherwise = fields.get("otherwise");
        if (otherwise != null) {
            Map<String, Node> branch = keys(otherwise, Set.of("steps", "id", "description"), "`otherwise`");
            if (branch != null) {
                steps(branch.get("steps"));
            }
        }
    }

    /**
     * An expression is written as a plain value, {@code simple: "${body}"}: the long form can name a
     * result class. Its functions are checked with every value; here what only a predicate evaluates.
     */
    private void expression(Node node) {
        if (!(node instanceof ScalarNode scalar)) {
            problem(node, "write an expression as a plain value, such as `simple: \"${body}\"`");
            return;
        }
        OpsText.checkPredicate(scalar.getValue()).ifPresent(message -> problem(node, message));
    }

    private void endpoint(Node at, Node uri, Node parameters) {
        if (!(uri instanceof ScalarNode value)) {
            problem(at, "an endpoint needs its `uri` written as a plain value");
            return;
        }
        Map<String, String> options = new LinkedHashMap<>();
        if (parameters instanceof MappingNode mapping) {
            for (NodeTuple t : mapping.getValue()) {
                if (!(t.getValueNode() instanceof ScalarNode option)) {
                    problem(t.getKeyNode(), "an endpoint option is a plain value");
                    return;
                }
                options.put(scalar(t.getKeyNode()), option.getValue());
            }
        } else if (parameters != null) {
            problem(parameters, "`parameters` is a map of endpoint options");
            return;
        }
        OpsEndpoint.check(value.getValue(), options).ifPresent(message -> problem(uri, message));
    }

    /** The keys of a mapping, each one allowed; null (and a problem) when it is not such a mapping. */
    private Map<String, Node> keys(Node node, Set<String> allowed, String what) {
        if (!(node instanceof MappingNode mapping)) {
            problem(node, what + " is a map of its options");
            return null;
        }
        Map<String, Node> fields = new LinkedHashMap<>();
        boolean ok = true;
        for (NodeTuple t : mapping.getValue()) {
            String key = scalar(t.getKeyNode());
            if (!allowed.contains(key)) {
                ok = problem(t.getKeyNode(), "`" + key + "` is not allowed in " + what + " of an ops route; allowed: "
                        + String.join(", ", allowed.stream().sorted().toList()));
            } else if (fields.put(key, t.getValueNode()) != null) {
                ok = problem(t.getKeyNode(), "`" + key + "` is given twice");
            }
        }
        return ok ? fields : null;
    }

    private boolean problem(Node node, String message) {
        problems.add(new RouteProblem(line(node), message));
        return false;
    }

    private static int line(Node node) {
        return node.getStartMark().map(Mark::getLine).map(l -> l + 1).orElse(0);
    }

    private static String scalar(Node node) {
        return node instanceof ScalarNode s ? s.getValue() : String.valueOf(node);
    }
}
