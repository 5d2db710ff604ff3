package dev.iucore.pipeline.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.vertx.ext.web.RoutingContext;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One API request as an operation sees it: the caller, path and query parameters, and the JSON
 * body, each read with a type and refused with a 400 naming the field when it does not parse.
 * It comes from HTTP, or from the console, which runs the same operations in process.
 */
final class Request {

    private final Caller caller;
    private final Function<String, String> pathParameters;
    private final Function<String, String> queryParameters;
    private final Supplier<String> bodyText;
    private JsonNode body;

    private Request(Caller caller, Function<String, String> pathParameters, Function<String, String> queryParameters,
                    Supplier<String> bodyText) {
        this.caller = caller;
        this.pathParameters = pathParameters;
        this.queryParameters = queryParameters;
        this.bodyText = bodyText;
    }

    static Request of(RoutingContext context, Caller caller) {
        return new Request(caller, context::pathParam, context.request()::getParam,
                () -> context.body() == null ? null : context.body().asString());
    }

    /** A request made in process (the console): parameters by name, the body as JSON text or null. */
    static Request inProcess(Caller caller, Map<String, String> path, Map<String, String> query, String body) {
        return new Request(caller, path::get, query::get, () -> body);
    }

    Caller caller() {
        return caller;
    }

    String path(String name) {
        return pathParameters.apply(name);
    }

    long pathLong(String name) {
        String value = path(name);
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw ApiProblem.badRequest(name + " must be a whole number, not `" + value + "`");
        }
    }

    String query(String name) {
        String value = queryParameters.apply(name);
        return value == null || value.isBlank() ? null : value;
    }

    int queryInt(String name, int fallback) {
        String value = query(name);
        if (value == null) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value);
            if (parsed < 1) {
                throw ApiProblem.badRequest(name + " must be 1 or more, not " + parsed);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw ApiProblem.badRequest(name + " must be a whole number, not `" + value + "`");
        }
    }

    OffsetDateTime queryTime(String name) {
        return time(name, query(name));
    }

    UUID queryUuid(String name) {
        String value = query(name);
        try {
            return value == null ? null : UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest(name + " must be a UUID, not `" + value + "`");
        }
    }

    /** The JSON body; an absent body reads as an empty object. */
    JsonNode body() {
        if (body == null) {
            String text = bodyText.get();
            if (text == null || text.isBlank()) {
                body = Json.MAPPER.createObjectNode();
            } else {
                body = Json.readOrNull(text);
                if (body == null || !body.isObject()) {
                    throw ApiProblem.badRequest("the request body must be a JSON object");
                }
            }
        }
        return body;
    }

    String text(String field) {
        JsonNode node = body().path(field);
        if (node.isMissingNode() || node instanceof NullNode) {
            return null;
        }
        if (!node.isTextual()) {
            throw ApiProblem.badRequest(field + " must be a string");
        }
        return node.asText();
    }

    String requiredText(String field) {
        String value = text(field);
        if (value == null || value.isBlank()) {
            throw ApiProblem.badRequest(field + " is required");
        }
        return value;
    }

    /** Whether the body names the field, with null too: on a PATCH, null clears and absent keeps. */
    boolean has(String field) {
        return body().has(field);
    }

    /** true, false, or null when absent. */
    Boolean optionalFlag(String field) {
        return has(field) && !(body().get(field) instanceof NullNode) ? flag(field) : null;
    }

    BigDecimal decimal(String field) {
        JsonNode node = body().path(field);
        if (node.isMissingNode() || node instanceof NullNode) {
            return null;
        }
        if (!node.isNumber()) {
            throw ApiProblem.badRequest(field + " must be a number");
        }
        return node.decimalValue();
    }

    boolean flag(String field) {
        JsonNode node = body().path(field);
        if (node.isMissingNode() || node instanceof NullNode) {
            return false;
        }
        if (!node.isBoolean()) {
            throw ApiProblem.badRequest(field + " must be true or false");
        }
        return node.asBoolean();
    }

    Integer integer(String field) {
        JsonNode node = body().path(field);
        if (node.isMissingNode() || node instanceof NullNode) {
            return null;
        }
        if (!node.canConvertToInt() || !node.isIntegralNumber()) {
            throw ApiProblem.badRequest(field + " must be a whole number");
        }
        return node.asInt();
    }

    List<Long> ids(String field) {
        JsonNode node = body().path(field);
        List<Long> ids = new ArrayList<>();
        if (node.isMissingNode() || node instanceof NullNode) {
            return ids;
        }
        if (!node.isArray()) {
            throw ApiProblem.badRequest(field + " must be an array of ids");
        }
        for (JsonNode id : node) {
            if (!id.isIntegralNumber()) {
                throw ApiProblem.badRequest(field + " must hold whole numbers, not " + id);
            }
            ids.add(id.asLong());
        }
        return ids;
    }

    List<String> texts(String field) {
        JsonNode node = body().path(field);
        List<String> values = new ArrayList<>();
        if (node.isMissingNode() || node instanceof NullNode) {
            return values;
        }
        if (!node.isArray()) {
            throw ApiProblem.badRequest(field + " must be an array of strings");
        }
        node.forEach(v -> {
            if (!v.isTextual()) {
                throw ApiProblem.badRequest(field + " must hold strings, not " + v);
            }
            values.add(v.asText());
        });
        return values;
    }

    static OffsetDateTime time(String name, String value) {
        try {
            return value == null ? null : OffsetDateTime.parse(value);
        } catch (DateTimeParseException e) {
            throw ApiProblem.badRequest(name + " must be an ISO-8601 time such as 2026-11-29T00:00:00Z, not `"
                    + value + "`");
        }
    }
}
