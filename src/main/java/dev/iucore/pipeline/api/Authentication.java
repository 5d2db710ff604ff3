package dev.iucore.pipeline.api;

import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * Who is calling: HTTP Basic (user and password) or a bearer token, checked against the users
 * file. No or wrong credentials: 401 with the schemes accepted, and nothing of the request runs.
 * Runs on a worker thread: a password's PBKDF2 takes a while by design.
 */
final class Authentication {

    private static final String CHALLENGE = "Basic realm=\"iu-core\", Bearer realm=\"iu-core\"";

    private final ConsoleUsers users;

    Authentication(ConsoleUsers users) {
        this.users = users;
    }

    void handle(RoutingContext context) {
        Optional<Caller> caller = caller(context.request().getHeader("Authorization"));
        if (caller.isEmpty()) {
            context.response().putHeader("WWW-Authenticate", CHALLENGE);
            Problems.send(context, new ApiProblem(401, "Unauthorized", "give a user's credentials: HTTP Basic, or a"
                    + " bearer token from `iu-core console add-user --token`", null));
            return;
        }
        context.put(Endpoints.CALLER, caller.get());
        context.next();
    }

    private Optional<Caller> caller(String header) {
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
            return users.byPassword(decoded.substring(0, colon), decoded.substring(colon + 1).toCharArray());
        }
        return Optional.empty();
    }
}
