package dev.iucore.pipeline.delivery;

import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a route's target may be, in one place: the relay applies these rules when it delivers
 * ({@link DeliveryTargets}, {@link RejectedTarget}, {@link WebhookSender}, {@link KafkaTarget}) and
 * {@code routes add|set} before a route is written, so a route the relay would refuse is refused
 * when it is written, with the relay's own words.
 */
public final class TargetRules {

    /** Schemes the relay resolves; anything else ({@code exec:}, {@code file:}, {@code ftp:} …) never is. */
    static final List<String> ALLOWED_SCHEMES = List.of("http", "https", "kafka", "log");
    /** The only environment variables a route's {@code secret_ref} may name. */
    public static final String SECRET_PREFIX = "IU_WEBHOOK_SECRET_";

    private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*):");
    private static final Pattern KAFKA_TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");
    private static final Pattern SECRET_REF = Pattern.compile(SECRET_PREFIX + "[A-Z0-9_]+");

    /**
     * How long a route write waits for its webhook host's lookup: a resolver that hangs holds no
     * console request or command longer; the host is then taken as one that does not resolve now.
     */
    static final Duration LOOKUP_WAIT = Duration.ofSeconds(2);

    private final TargetAddressGuard addresses;

    /** @param addresses the internal networks webhooks may reach ({@code iu.delivery.allowed-networks}) */
    public TargetRules(TargetAddressGuard addresses) {
        this.addresses = addresses;
    }

    /**
     * Why a route with this target, kind and secret reference would not be delivered, or null when it
     * would. {@code kind} ({@code webhook}, {@code kafka}, {@code log}) may be null; given, it must be
     * the target's. A webhook host that does not resolve now (or within {@link #LOOKUP_WAIT}) is not
     * refused: the relay checks every address again before each request.
     */
    public String refusal(String target, String kind, String secretRef) {
        String schemeRefusal = schemeRefusal(target);
        if (schemeRefusal != null) {
            return schemeRefusal;
        }
        String targetKind = kind(scheme(target));
        if (kind != null && !kind.equals(targetKind)) {
            return "target_kind " + kind + " does not match target \"" + TargetUriMask.masked(target)
                    + "\", a " + targetKind + " target";
        }
        if (secretRef != null && !"webhook".equals(targetKind)) {
            return "secret_ref signs webhooks only; a " + targetKind + " route takes none";
        }
        if (secretRef != null && !secretRefAllowed(secretRef)) {
            // the value is not repeated: it may be the secret itself, pasted by mistake
            return "secret_ref must name an environment variable " + SECRET_PREFIX
                    + "… (capitals, digits, _) that holds the signing secret, never another variable or the secret itself";
        }
        return switch (targetKind) {
            case "webhook" -> webhookRefusal(target);
            case "kafka" -> kafkaTopicRefusal(kafkaTopic(target));
            default -> null;
        };
    }

    private String webhookRefusal(String target) {
        URI uri;
        try {
            uri = webhookUri(target);
        } catch (IllegalArgumentException e) {
            return unbuildable(target, e);
        }
        try {
            return addresses.refusal(uri, System.nanoTime() + LOOKUP_WAIT.toNanos());
        } catch (UnknownHostException | HttpTimeoutException e) {
            return null;
        }
    }

    /** {@code webhook}, {@code kafka} or {@code log}; null for a target outside the allowlist. */
    public static String targetKind(String target) {
        String scheme = scheme(target);
        return allowed(scheme) ? kind(scheme) : null;
    }

    /** {@code webhook}, {@code kafka} or {@code log} for an allowed scheme. */
    static String kind(String scheme) {
        return scheme.startsWith("http") ? "webhook" : scheme;
    }

    /** The lower-case scheme of a target, or null when it has none. */
    static String scheme(String target) {
        if (target == null) {
            return null;
        }
        Matcher m = SCHEME.matcher(target.trim());
        return m.find() ? m.group(1).toLowerCase(Locale.ROOT) : null;
    }

    /** Null when the target's scheme is on the allowlist; otherwise why it is never resolved. */
    static String schemeRefusal(String target) {
        return allowed(scheme(target)) ? null
                : "target scheme of \"" + TargetUriMask.masked(target) + "\" is not one of " + ALLOWED_SCHEMES;
    }

    private static boolean allowed(String scheme) {
        return scheme != null && ALLOWED_SCHEMES.contains(scheme);
    }

    /** The address of a webhook target: http or https, with a host; IllegalArgumentException when it has neither. */
    static URI webhookUri(String target) {
        URI uri = URI.create(target.trim());
        String scheme = String.valueOf(uri.getScheme()).toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("invalid URI scheme " + uri.getScheme());
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("unsupported URI " + uri);
        }
        return uri;
    }

    static String unbuildable(String target, IllegalArgumentException e) {
        return "cannot build a request for " + TargetUriMask.masked(target) + ": " + TargetUriMask.masked(e.getMessage());
    }

    static String kafkaTopic(String target) {
        return target.trim().substring("kafka:".length());
    }

    /** Null for a valid Kafka topic name; otherwise what is wrong with it. */
    static String kafkaTopicRefusal(String topic) {
        return KAFKA_TOPIC.matcher(topic).matches() ? null : "\"" + topic + "\" is not a Kafka topic name";
    }

    /** A reference the relay reads: the dedicated prefix, so a route cannot sign with, say, IU_DB_PASSWORD. */
    static boolean secretRefAllowed(String secretRef) {
        return SECRET_REF.matcher(secretRef).matches();
    }
}
