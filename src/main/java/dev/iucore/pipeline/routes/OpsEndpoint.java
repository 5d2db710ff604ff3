package dev.iucore.pipeline.routes;

import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.util.URISupport;

/**
 * The endpoints an ops route may use, by allowlist: per scheme, the form of its path and the
 * options it may set. Ops routes schedule, call the service's own routes, log, and run SQL only as
 * a call of a {@link #SQL_ACTIONS named action}: they never reach outside the process, never read
 * files or run processes, and no option may name a bean or a class ({@code #bean}, {@code #class:},
 * {@code #type:}): Camel would create it while the endpoint is only being checked.
 */
final class OpsEndpoint {

    /** The SQL an ops route may run, as {@code SELECT action(args)} or {@code SELECT * FROM action(args)}. */
    static final List<String> SQL_ACTIONS = List.of("fn_iu_core_gate_open", "fn_iu_core_gate_value",
            "fn_iu_core_gate_list", "fn_iu_core_retention_cleanup");

    private static final String NAME = "[A-Za-z0-9_.-]+";
    private static final String SQL_ARGUMENT = "(:#[A-Za-z_][A-Za-z0-9_]*|:#\\$\\{[^{}$]+}|-?[0-9]+|'[^'%\\\\]*'|true|false|null)"
            + "(::[a-z_]+)?";
    private static final Pattern SQL_CALL = Pattern.compile("(?i)SELECT\\s+(\\*\\s+FROM\\s+)?(" + String.join("|", SQL_ACTIONS)
            + ")\\s*\\(\\s*(" + SQL_ARGUMENT + "(\\s*,\\s*" + SQL_ARGUMENT + ")*)?\\s*\\)\\s*");

    private record Scheme(Pattern path, String pathForm, Set<String> options) {
    }

    private static final Map<String, Scheme> SCHEMES = schemes();

    private static Map<String, Scheme> schemes() {
        Map<String, Scheme> schemes = new LinkedHashMap<>();
        schemes.put("timer", new Scheme(Pattern.compile(NAME), "a name", Set.of("period", "delay", "repeatCount", "fixedRate")));
        schemes.put("quartz", new Scheme(Pattern.compile(NAME + "(/" + NAME + ")?"), "group/name", Set.of("cron", "stateful")));
        schemes.put("direct", new Scheme(Pattern.compile(NAME), "a name", Set.of("timeout", "block")));
        schemes.put("seda", new Scheme(Pattern.compile(NAME), "a name", Set.of("size", "concurrentConsumers",
                "discardWhenFull", "blockWhenFull", "waitForTaskToComplete", "timeout")));
        schemes.put("log", new Scheme(Pattern.compile(NAME), "a name", Set.of("level", "showBody", "showHeaders", "showAll",
                "showBodyType", "multiline", "groupSize", "groupInterval")));
        schemes.put("sql", new Scheme(SQL_CALL, "SELECT <action>(<arguments>) with an action of " + String.join(", ", SQL_ACTIONS)
                + " and arguments :#name, numbers, 'text', true, false or null", Set.of("outputType", "outputHeader")));
        return schemes;
    }

    static final List<String> ALLOWED_SCHEMES = List.copyOf(SCHEMES.keySet());

    private static final Pattern RAW = Pattern.compile("RAW[({](.*)[)}]", Pattern.DOTALL);

    private OpsEndpoint() {
    }

    /** {@code #name}, {@code #class:…}, {@code #type:…}: Camel looks up or creates it, also from inside {@code RAW(…)}. */
    private static boolean namesAnObject(String value) {
        String v = value.strip();
        Matcher raw = RAW.matcher(v);
        if (raw.matches()) {
            v = raw.group(1).strip();
        }
        return v.startsWith("#") || v.toLowerCase(Locale.ROOT).startsWith("%23");
    }

    /**
     * @param uri the URI as written, options after {@code ?} included
     * @param parameters the options written beside it ({@code parameters:})
     * @return what is wrong, if anything
     */
    static Optional<String> check(String uri, Map<String, String> parameters) {
        int colon = uri.indexOf(':');
        String scheme = colon < 0 ? "" : uri.substring(0, colon).strip().toLowerCase(Locale.ROOT);
        Scheme allowed = SCHEMES.get(scheme);
        if (allowed == null) {
            return Optional.of("endpoint scheme `" + (colon < 0 ? uri : uri.substring(0, colon))
                    + "` is not allowed in an ops route (" + uri + "); allowed: " + String.join(", ", ALLOWED_SCHEMES));
        }
        String rest = uri.substring(colon + 1);
        int question = rest.indexOf('?');
        String path = (question < 0 ? rest : rest.substring(0, question)).replaceFirst("^//", "");
        if (!allowed.path().matcher(path).matches()) {
            return Optional.of("`" + scheme + ":` endpoint " + uri + " is not allowed in an ops route: its path must be "
                    + allowed.pathForm());
        }
        Map<String, String> options = new LinkedHashMap<>(parameters);
        if (question >= 0) {
            try {
                URISupport.parseQuery(rest.substring(question + 1), true).forEach((k, v) -> options.put(k, String.valueOf(v)));
            } catch (URISyntaxException e) {
                return Optional.of("endpoint " + uri + " has options that cannot be read: " + e.getMessage());
            }
        }
        for (Map.Entry<String, String> option : options.entrySet()) {
            if (!allowed.options().contains(option.getKey())) {
                return Optional.of("option `" + option.getKey() + "` of a `" + scheme + ":` endpoint is not allowed in an ops route;"
                        + " allowed: " + String.join(", ", new TreeSet<>(allowed.options())));
            }
            if (namesAnObject(option.getValue())) {
                return Optional.of("option `" + option.getKey() + "` names a bean or a class (" + option.getValue()
                        + "): not allowed in an ops route");
            }
        }
        return Optional.empty();
    }
}
