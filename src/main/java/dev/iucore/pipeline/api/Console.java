package dev.iucore.pipeline.api;

import io.vertx.core.Vertx;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.auth.VertxContextPRNG;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.Session;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CSRFHandler;
import io.vertx.ext.web.handler.SessionHandler;
import io.vertx.ext.web.sstore.LocalSessionStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator console at {@code /}: server-rendered pages (Thymeleaf) over the API's own
 * operations, run in process for the signed-in user ({@link Endpoints#call}), so a page can read
 * and change exactly what the API can, with the same role checks, commands and audit.
 *
 * <p>Sign-in is a form checked against the same users file; the session cookie is HttpOnly,
 * SameSite=Strict and, with {@code iu.console.secure-cookies}, Secure. Every state-changing request
 * carries the session's CSRF token (Vert.x {@link CSRFHandler}: form field or header
 * {@value #CSRF_FIELD}, compared with its cookie and the session) or is refused with 403. The JSON
 * API under {@code /api/} keeps its own Basic and bearer authentication and has no session.
 */
final class Console {

    private static final Logger LOG = LoggerFactory.getLogger(Console.class);

    static final String CSRF_FIELD = CSRFHandler.DEFAULT_HEADER_NAME;
    static final String SESSION_COOKIE = "iu-console-session";
    static final String CSRF_COOKIE = "iu-console-csrf";
    /** Every console path: anything but the API and the console's own assets. */
    private static final String PAGES = "^/(?!api/|assets/).*";
    private static final long FORM_LIMIT = 64 * 1024;
    private static final String USER = "user";
    private static final String ROLE = "role";
    private static final String FLASH = "flash";
    private static final String FLASH_FAILED = "flash_failed";

    private final Endpoints api;
    private final ConsoleUsers users;
    private final ConsoleViews views;
    private final ConsoleAssets assets;
    private final SignInThrottle throttle;

    Console(Endpoints api, ConsoleUsers users, SignInThrottle throttle) {
        this.api = api;
        this.users = users;
        this.throttle = throttle;
        this.views = new ConsoleViews();
        this.assets = ConsoleAssets.load();
    }

    void register(Router router, Vertx vertx, boolean secureCookies) {
        router.get("/assets/:name").handler(assets::serve);
        router.routeWithRegex(PAGES).handler(BodyHandler.create(false).setBodyLimit(FORM_LIMIT));
        router.routeWithRegex(PAGES).handler(SessionHandler.create(LocalSessionStore.create(vertx))
                .setSessionCookieName(SESSION_COOKIE).setCookieHttpOnlyFlag(true)
                .setCookieSameSite(CookieSameSite.STRICT).setCookieSecureFlag(secureCookies)
                .setNagHttps(false));
        if (secureCookies) {
            // CSRFHandler has no Secure option: mark the token cookie it sets on this response (one
            // it sets has a path; one the browser sent has none)
            router.routeWithRegex(PAGES).handler(c -> {
                c.addHeadersEndHandler(v -> c.request().cookies(CSRF_COOKIE).stream()
                        .filter(cookie -> cookie.getPath() != null).forEach(cookie -> cookie.setSecure(true)));
                c.next();
            });
        }
        router.routeWithRegex(PAGES).handler(CSRFHandler.create(vertx, secret(vertx))
                .setCookieName(CSRF_COOKIE).setCookieHttpOnly(true).setNagHttps(false));
        router.routeWithRegex(PAGES).handler(Console::securityHeaders);
        router.routeWithRegex(PAGES).failureHandler(this::failed);

        router.get("/login").handler(c -> views.send(c, "login", model(c, null)));
        router.post("/login").blockingHandler(this::login, false);
        router.routeWithRegex(PAGES).handler(this::requireUser);
        router.post("/logout").handler(c -> {
            c.session().destroy();
            redirect(c, "/login");
        });
        new ConsolePages(this).register(router);
    }

    private static String secret(Vertx vertx) {
        // a fresh key per start: a restart signs every session out anyway (sessions live in memory)
        return VertxContextPRNG.current(vertx).nextString(32);
    }

    private static void securityHeaders(RoutingContext context) {
        context.response()
                .putHeader("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none';"
                        + " form-action 'self'; base-uri 'none'")
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Referrer-Policy", "no-referrer")
                .putHeader("Cache-Control", "no-store");
        context.next();
    }

    private void login(RoutingContext context) {
        String name = form(context, "username");
        String password = form(context, "password");
        String address = address(context);
        Optional<Duration> refused = throttle.refusal(name, address);
        if (refused.isPresent()) {
            ApiProblem tooMany = Authentication.tooManyFailures(refused.get());
            Map<String, Object> model = model(context, null);
            model.put("error", "Too many failed sign-ins: try again in " + tooMany.extensions().get("retry_after_seconds")
                    + " s.");
            context.response().setStatusCode(429).putHeader("Retry-After",
                    tooMany.extensions().get("retry_after_seconds").toString());
            views.send(context, "login", model);
            return;
        }
        Optional<Caller> caller = name == null || password == null ? Optional.empty()
                : users.byPassword(name, password.toCharArray());
        if (caller.isEmpty()) {
            throttle.failed(name, address);
            Map<String, Object> model = model(context, null);
            model.put("error", "Unknown user or wrong password.");
            context.response().setStatusCode(401);
            views.send(context, "login", model);
            return;
        }
        throttle.succeeded(name, address);
        Session session = context.session();
        // a new session id on sign-in: an id planted before it (session fixation) signs no one in
        session.regenerateId();
        session.put(USER, caller.get().name());
        session.put(ROLE, caller.get().role().fileName());
        LOG.info("console: {} signed in ({})", caller.get().name(), caller.get().role().fileName());
        redirect(context, "/");
    }

    private void requireUser(RoutingContext context) {
        Caller caller = caller(context);
        if (caller != null) {
            context.next();
        } else if (context.request().getHeader("HX-Request") != null) {
            // a page left open past its session: htmx takes the whole page to sign-in, not just its live part
            context.response().putHeader("HX-Redirect", "/login").end();
        } else if (context.request().method() == HttpMethod.GET) {
            redirect(context, "/login");
        } else {
            context.response().setStatusCode(401);
            views.send(context, "login", model(context, null));
        }
    }

    private void failed(RoutingContext context) {
        int status = context.statusCode() < 400 ? 500 : context.statusCode();
        if (status == 500) {
            LOG.warn("console {} {} failed", context.request().method(), context.request().path(), context.failure());
        }
        Map<String, Object> model = model(context, caller(context));
        model.put("status", status);
        model.put("message", status == 403 ? "The form's security token is missing or out of date (it changes after"
                + " every change you make). Go back, reload the page and try again."
                : status == 413 ? "The form is too large." : "The request could not be completed; the service log has"
                + " the details.");
        context.response().setStatusCode(status);
        views.send(context, "error", model);
    }

    /** The client's address, as the sign-in throttle counts it (behind a proxy: the proxy's). */
    static String address(RoutingContext context) {
        return context.request().remoteAddress() == null ? null : context.request().remoteAddress().hostAddress();
    }

    /** The signed-in user, or null. */
    static Caller caller(RoutingContext context) {
        Session session = context.session();
        if (session == null || session.get(USER) == null) {
            return null;
        }
        return new Caller(session.get(USER), Role.of(session.get(ROLE)));
    }

    /** What every page shows: the user, whether they may change things, the CSRF token, a flash message. */
    static Map<String, Object> model(RoutingContext context, Caller caller) {
        Map<String, Object> model = new HashMap<>();
        model.put("csrfField", CSRF_FIELD);
        model.put("csrf", context.get(CSRF_FIELD));
        // what a page's live part polls: the page itself, with its filters
        model.put("self", context.request().uri());
        model.put("user", caller == null ? null : caller.name());
        model.put("role", caller == null ? null : caller.role().fileName());
        model.put("operator", caller != null && caller.role().mayChange());
        Session session = context.session();
        if (session != null && session.get(FLASH) != null) {
            model.put("flash", session.remove(FLASH));
            model.put("flashFailed", Boolean.TRUE.equals(session.remove(FLASH_FAILED)));
        }
        return model;
    }

    /** A message for the next page the user sees (after a redirect). */
    static void flash(RoutingContext context, String message, boolean failed) {
        context.session().put(FLASH, message);
        context.session().put(FLASH_FAILED, failed);
    }

    static String form(RoutingContext context, String name) {
        String value = context.request().getFormAttribute(name);
        return value == null || value.isBlank() ? null : value.strip();
    }

    static void redirect(RoutingContext context, String location) {
        context.response().setStatusCode(303).putHeader("Location", location).end();
    }

    Endpoints api() {
        return api;
    }

    ConsoleViews views() {
        return views;
    }
}
