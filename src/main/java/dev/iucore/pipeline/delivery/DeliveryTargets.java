package dev.iucore.pipeline.delivery;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.Body;
import org.apache.camel.Message;

/**
 * Decides how a claimed delivery is delivered, from its route row: {@code http}, {@code log},
 * {@code kafka} or {@code sql}; {@code removed} when its route row is gone; {@code rejected} for a
 * target outside the scheme allowlist. A rejected target ({@code exec:}, {@code file:},
 * {@code bean:}, {@code sql:} …) is never handed to Camel as an endpoint: nothing resolves it.
 */
public final class DeliveryTargets {

    static final Set<String> ALLOWED_SCHEMES = Set.of("http", "https", "kafka", "log");
    private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*):");

    /** The route's first step: the claimed task becomes an attempt, the kind of its target a header to choose on. */
    public DeliveryAttempt classify(@Body DeliveryTask task, Message message) {
        message.setHeader(DeliveryAttempt.TARGET, kind(task));
        return new DeliveryAttempt(task);
    }

    static String kind(DeliveryTask task) {
        if (!task.routeExists()) {
            return "removed";
        }
        if (task.isSqlAction()) {
            return "sql";
        }
        String scheme = scheme(task.targetUri());
        if (scheme == null || !ALLOWED_SCHEMES.contains(scheme)) {
            return "rejected";
        }
        return scheme.startsWith("http") ? "http" : scheme;
    }

    /** The lower-case scheme of a target, or null when it has none. */
    static String scheme(String target) {
        if (target == null) {
            return null;
        }
        Matcher m = SCHEME.matcher(target.trim());
        return m.find() ? m.group(1).toLowerCase(Locale.ROOT) : null;
    }
}
