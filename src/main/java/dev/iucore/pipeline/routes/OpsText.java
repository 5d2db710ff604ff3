package dev.iucore.pipeline.routes;

import dev.iucore.pipeline.config.Setting;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What the text of an ops route may evaluate, by allowlist. Camel resolves {@code {{placeholders}}}
 * in every value and Simple's {@code ${…}} in messages, expressions and SQL parameters; both reach
 * far (the environment, system properties, any bean, any class), so an ops route gets only the
 * schedule and batch-size properties of {@link #PROPERTIES} and the message-level Simple functions
 * of {@link #FUNCTIONS}: the body, a header, ids and the date.
 */
final class OpsText {

    /** The properties an ops route may name: schedules and sizes, nothing secret, no paths. */
    static final Set<Setting> PROPERTIES = EnumSet.of(Setting.NODE_ID,
            Setting.RELAY_BATCH_SIZE, Setting.RELAY_POLL_INTERVAL_MS,
            Setting.DELIVERY_WORKERS, Setting.DELIVERY_ROUTE_CONCURRENCY, Setting.DELIVERY_BATCH_SIZE,
            Setting.DELIVERY_POLL_INTERVAL_MS, Setting.DELIVERY_LEASE_MS, Setting.METRICS_REFRESH_INTERVAL_MS,
            Setting.RETENTION_CRON, Setting.RETENTION_APPLY, Setting.DELAYED_LANE_CRON, Setting.DELAYED_LANE_BATCH_SIZE,
            Setting.SCALEOUT_CRON, Setting.SCALEOUT_TEMPLATES, Setting.SCALEOUT_N, Setting.SCALEOUT_ACTOR);
    static final Set<String> PROPERTY_KEYS = PROPERTIES.stream().map(Setting::key).collect(Collectors.toUnmodifiableSet());

    static final List<String> FUNCTIONS = List.of("body", "bodyOneLine", "body[key]…", "header.name", "headers.name",
            "header[name]", "exchangeId", "id", "routeId", "camelId", "messageTimestamp", "date:now[:pattern]");

    private static final String NAME = "[A-Za-z0-9_-]+";
    private static final Pattern FUNCTION = Pattern.compile("body|bodyOneLine|body(\\[" + NAME + "\\])+"
            + "|(in\\.)?headers?(\\." + NAME + "|\\[" + NAME + "\\])"
            + "|exchangeId|id|routeId|camelId|messageTimestamp|date:now(:[A-Za-z0-9 :.,'/_-]+)?");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{(.*?)}}");
    /** Simple's type test resolves a class by name: {@code ${body} is 'com.example.Anything'}. */
    private static final Pattern TYPE_TEST = Pattern.compile("(?i)(^|\\s)!?is\\s");

    private OpsText() {
    }

    /** Any value of the file: its placeholders and Simple functions; the first problem, if any. */
    static Optional<String> check(String text) {
        return placeholders(text).or(() -> functions(text));
    }

    /** A value Camel evaluates as a Simple predicate: besides {@link #check}, no type tests. */
    static Optional<String> checkPredicate(String text) {
        return TYPE_TEST.matcher(text).find()
                ? Optional.of("Simple's `is` test loads a class by name: not allowed in an ops route (" + text + ")")
                : Optional.empty();
    }

    private static Optional<String> placeholders(String text) {
        Matcher m = PLACEHOLDER.matcher(text);
        int end = 0;
        StringBuilder outside = new StringBuilder();
        while (m.find()) {
            outside.append(text, end, m.start());
            end = m.end();
            String key = m.group(1).strip();
            if (!PROPERTY_KEYS.contains(key)) {
                return Optional.of("placeholder {{" + m.group(1) + "}} is not allowed in an ops route; allowed: "
                        + PROPERTIES.stream().map(Setting::key).sorted().collect(Collectors.joining(", ")));
            }
        }
        outside.append(text.substring(end));
        if (outside.indexOf("{{") >= 0 || outside.indexOf("}}") >= 0) {
            return Optional.of("an unbalanced or nested {{placeholder}} is not allowed in an ops route: " + text);
        }
        return Optional.empty();
    }

    private static Optional<String> functions(String text) {
        int from = 0;
        while (true) {
            int dollar = text.indexOf('$', from);
            if (dollar < 0) {
                return Optional.empty();
            }
            int open = text.startsWith("${", dollar) ? dollar + 2 : text.startsWith("$simple{", dollar) ? dollar + 8 : -1;
            if (open < 0) {
                from = dollar + 1;
                continue;
            }
            int close = text.indexOf('}', open);
            String function = close < 0 ? text.substring(open) : text.substring(open, close);
            if (close < 0 || !FUNCTION.matcher(function.strip()).matches()) {
                return Optional.of("Simple function ${" + function + (close < 0 ? "" : "}")
                        + " is not allowed in an ops route; allowed: " + String.join(", ", FUNCTIONS));
            }
            from = close + 1;
        }
    }
}
