package dev.iucore.pipeline.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Which entries of an event's {@code event_outbox.headers} go out with its deliveries, and under
 * which names: the same for a webhook's HTTP headers and a Kafka record's headers.
 * <ul>
 * <li>W3C trace context, under its own names so a receiver's tracing joins the producer's trace:
 *     {@code traceparent} when its format is valid, and {@code tracestate} with it;</li>
 * <li>every other entry whose name is a plain token and whose value a short line of printable ASCII,
 *     as {@code iu-header-<name>}: the prefix keeps a producer from setting or overriding any header
 *     of ours or of the protocol ({@code webhook-signature}, {@code content-type}, {@code host},
 *     {@code kafka.OVERRIDE_TOPIC} …), whatever it writes.</li>
 * </ul>
 * Anything else is left out; a delivery never fails because of its headers.
 */
public final class ForwardedHeaders {

    /** The prefix of every forwarded producer header but the trace context. */
    public static final String PREFIX = "iu-header-";
    public static final String TRACEPARENT = "traceparent";
    public static final String TRACESTATE = "tracestate";
    /** At most this many prefixed headers per delivery (in the order the database returns the keys). */
    static final int MAX_HEADERS = 16;
    static final int MAX_VALUE_CHARS = 512;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    private static final Pattern VALUE = Pattern.compile("[\\x20-\\x7e]+");
    /** version-traceid-parentid-flags, lower-case hex; a later version may append fields after a dash. */
    private static final Pattern TRACEPARENT_FORMAT =
            Pattern.compile("([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-[\\x21-\\x7e]*)?");
    private static final Pattern TRACESTATE_MEMBER = Pattern.compile(
            "[a-z0-9][_0-9a-z*/-]{0,255}(@[a-z][_0-9a-z*/-]{0,13})?=[\\x20-\\x2b\\x2d-\\x3c\\x3e-\\x7e]{0,255}"
                    + "[\\x21-\\x2b\\x2d-\\x3c\\x3e-\\x7e]");

    private ForwardedHeaders() {
    }

    /** The headers to send for an event whose {@code headers} column holds {@code json}; empty for none. */
    public static Map<String, String> of(String json) {
        if (json == null || json.isBlank() || json.equals("{}")) {
            return Map.of();
        }
        JsonNode headers;
        try {
            headers = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            return Map.of();
        }
        if (!headers.isObject()) {
            return Map.of();
        }
        // names are case-insensitive on the wire: the first spelling of a name wins
        Map<String, String> entries = new LinkedHashMap<>();
        headers.fields().forEachRemaining(entry -> {
            String value = text(entry.getValue());
            if (value != null) {
                entries.putIfAbsent(entry.getKey().toLowerCase(Locale.ROOT), value);
            }
        });
        Map<String, String> forwarded = new LinkedHashMap<>();
        String traceparent = entries.remove(TRACEPARENT);
        String tracestate = entries.remove(TRACESTATE);
        if (traceparent != null && validTraceparent(traceparent)) {
            forwarded.put(TRACEPARENT, traceparent);
            if (tracestate != null && validTracestate(tracestate)) {
                forwarded.put(TRACESTATE, tracestate);
            }
        }
        entries.entrySet().stream().filter(entry -> NAME.matcher(entry.getKey()).matches()).limit(MAX_HEADERS)
                .forEach(entry -> forwarded.put(PREFIX + entry.getKey(), entry.getValue()));
        return forwarded;
    }

    /** A string, number or boolean as one line of printable ASCII, trimmed; null for anything else. */
    private static String text(JsonNode node) {
        if (node == null || !node.isValueNode() || node.isNull()) {
            return null;
        }
        String value = node.asText().strip();
        return value.length() <= MAX_VALUE_CHARS && VALUE.matcher(value).matches() ? value : null;
    }

    /** The W3C Trace Context rules: version ff and all-zero ids are invalid, version 00 has four fields. */
    static boolean validTraceparent(String value) {
        var m = TRACEPARENT_FORMAT.matcher(value);
        if (!m.matches() || m.group(1).equals("ff")) {
            return false;
        }
        if (m.group(1).equals("00") && m.group(5) != null) {
            return false;
        }
        return !m.group(2).chars().allMatch(c -> c == '0') && !m.group(3).chars().allMatch(c -> c == '0');
    }

    /** At most 32 comma-separated key=value members (empty ones allowed), as W3C Trace Context has them. */
    static boolean validTracestate(String value) {
        String[] members = value.split(",", -1);
        if (members.length > 32) {
            return false;
        }
        boolean any = false;
        for (String member : members) {
            String m = member.strip();
            if (m.isEmpty()) {
                continue;
            }
            if (!TRACESTATE_MEMBER.matcher(m).matches()) {
                return false;
            }
            any = true;
        }
        return any;
    }
}
