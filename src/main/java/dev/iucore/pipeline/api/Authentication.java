package dev.iucore.pipeline.api;

import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * Who is calling: HTTP Basic (user and password) or a bearer token, checked against the users
 * file. No or wrong credentials: 401 with the schemes accepted, and nothing of the request runs.
 * A password is not checked while its user or the client's address has failed too often in a row
 * ({@link SignInThrottle}): 429 with {@code Retry-After}. Runs on a worker thread: a password's
 * PBKDF2 takes a while by design.
 */
final class Authentication {

    private static final String CHALLENGE = "Basic realm=\"iu-core\", Bearer realm=\"iu-core\"";

    private final ConsoleUsers users;
    private final SignInThrottle throttle;

    Authentication(ConsoleUsers users, SignInThrottle throttle) {
        this.users = users;
        this.throttle = throttle;
    }

    void handle(RoutingContext context) {
        Optional<Caller> caller;
        try {
            caller = caller(context.request().getHeader("Authorization"), Console.address(context));
        } catch (ApiProblem tooMany) {
            context.response().putHeader("Retry-After", tooMany.extensions().get("retry_after_seconds").toString());
            Problems.send(context, tooMany);
            return;
        }
        if (caller.isEmpty()) {
            context.response().putHeader("WWW-Authenticate", CHALLENGE);
            Problems.send(context, new ApiProblem(401, "Unauthorized", "give a user's credentials: HTTP Basic, or a"
                    + " bearer token from `iu-core console add-user --token`", null));
            return;
        }
        context.put(Endpoints.CALLER, caller.get());
        context.next();
    }

    private Optional<Caller> caller(String header, String address) {
        if (header == null) {
            return Optional.empty();
        }
        if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return users.byToken(header.substring(7).trim());
        }
        if (header.regionMatches(true, 0, "Basic ", 0, 6)) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
            int colon = decoded.indexOf(':');
            if (colon < 1) {
                return Optional.empty();
            }
            String user = decoded.substring(0, colon);
            Optional<Duration> refused = throttle.refusal(user, address);
            if (refused.isPresent()) {
                throw tooManyFailures(refused.get());
            }
            Optional<Caller> caller = users.byPassword(user, decoded.substring(colon + 1).toCharArray());
            if (caller.isPresent()) {
                throttle.succeeded(user, address);
            } else {
                throttle.failed(user, address);
            }
            return caller;
        }
        return Optional.empty();
    }

    /** The refusal of a sign-in while the throttle holds it, for the API and the console alike. */
    static ApiProblem tooManyFailures(Duration wait) {
        long seconds = SignInThrottle.seconds(wait);
        return new ApiProblem(429, "Too many failed sign-ins", "too many failed sign-ins for this user or from this"
                + " address: try again in " + seconds + " s", Map.of("retry_after_seconds", seconds));
    }
}
