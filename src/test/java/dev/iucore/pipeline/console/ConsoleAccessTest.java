package dev.iucore.pipeline.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.iucore.pipeline.api.ApiFixture;
import dev.iucore.pipeline.api.ApiServer;
import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.testing.Http11;
import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Who may do what on the console, over plain HTTP: no session → the sign-in page (the API: 401),
 * a form without its CSRF token → 403 and nothing changed, a viewer changing → 403, and the
 * session cookie's flags. Every refusal is checked on the database too.
 */
class ConsoleAccessTest {

    @RegisterExtension
    static final ApiFixture CONSOLE = new ApiFixture();

    private static final Pattern TOKEN = Pattern.compile("name=\"X-XSRF-TOKEN\" value=\"([^\"]+)\"");
    private static final String GATE = "scaleout_enabled";

    @Test
    void withoutASessionPagesLeadToSignInAndTheApiAnswers401() throws Exception {
        Browser anonymous = new Browser();
        HttpResponse<String> page = anonymous.get("/gates");
        assertThat(page.statusCode()).isEqualTo(303);
        assertThat(page.headers().firstValue("Location")).hasValue("/login");
        HttpResponse<String> poll = anonymous.get("/gates", "HX-Request", "true");
        assertThat(poll.headers().firstValue("HX-Redirect")).as("a live part polled after sign-out").hasValue("/login");
        assertThat(poll.body()).isEmpty();
        HttpResponse<String> api = anonymous.get("/api/v1/gates");
        assertThat(api.statusCode()).isEqualTo(401);
        assertThat(api.headers().firstValue("content-type")).hasValue("application/problem+json");
    }

    @Test
    void theSessionCookieIsHttpOnlyAndSameSiteStrictAndSignInChecksThePassword() throws Exception {
        Browser browser = new Browser();
        HttpResponse<String> login = browser.get("/login");
        String sessionCookie = login.headers().allValues("set-cookie").stream()
                .filter(c -> c.startsWith("iu-console-session=")).findFirst().orElseThrow();
        assertThat(sessionCookie).containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Strict")
                .doesNotContainIgnoringCase("Secure");
        assertThat(login.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp ->
                assertThat(csp).contains("default-src 'self'").contains("frame-ancestors 'none'"));

        HttpResponse<String> wrong = browser.post("/login", Map.of("username", ApiFixture.OPERATOR,
                "password", "not it"), token(login));
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).contains("Unknown user or wrong password");
        assertThat(browser.get("/gates").statusCode()).as("still signed out").isEqualTo(303);

        browser.signIn(ApiFixture.OPERATOR);
        HttpResponse<String> gates = browser.get("/gates");
        assertThat(gates.statusCode()).isEqualTo(200);
        assertThat(gates.body()).contains(GATE).doesNotContain(ApiFixture.PASSWORD);
    }

    @Test
    void withSecureCookiesSetTheCookiesAreSecure() throws Exception {
        try (ApiServer secure = CONSOLE.start(true)) {
            HttpResponse<String> login = new Browser(ApiFixture.url(secure, "")).get("/login");
            assertThat(login.headers().allValues("set-cookie"))
                    .filteredOn(c -> c.startsWith("iu-console-session=") || c.startsWith("iu-console-csrf="))
                    .hasSize(2).allSatisfy(c -> assertThat(c).containsIgnoringCase("; Secure")
                            .containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Strict"));
        }
    }

    @Test
    void afterTooManyFailedSignInsTheUserAndTheAddressAreRefusedWith429EvenWithTheRightPassword() throws Exception {
        int limit = Integer.parseInt(Setting.CONSOLE_SIGN_IN_FAILURES.defaultValue());
        // a server of its own: the failures it counts stay out of the other tests' way
        try (ApiServer server = CONSOLE.start(false)) {
            Browser browser = new Browser(ApiFixture.url(server, ""));
            for (int i = 0; i < limit; i++) {
                HttpResponse<String> wrong = browser.post("/login", Map.of("username", ApiFixture.OPERATOR,
                        "password", "guess " + i), token(browser.get("/login")));
                assertThat(wrong.statusCode()).as("failure %d", i + 1).isEqualTo(401);
            }
            HttpResponse<String> right = browser.post("/login", Map.of("username", ApiFixture.OPERATOR,
                    "password", ApiFixture.PASSWORD), token(browser.get("/login")));
            assertThat(right.statusCode()).isEqualTo(429);
            assertThat(right.headers().firstValue("Retry-After")).hasValueSatisfying(seconds ->
                    assertThat(Long.parseLong(seconds)).isBetween(1L, 30L));
            assertThat(right.body()).contains("Too many failed sign-ins: try again in");
            assertThat(browser.get("/gates").statusCode()).as("still signed out").isEqualTo(303);

            HttpResponse<String> otherUser = browser.post("/login", Map.of("username", ApiFixture.VIEWER,
                    "password", ApiFixture.PASSWORD), token(browser.get("/login")));
            assertThat(otherUser.statusCode()).as("the address is held too").isEqualTo(429);
            String basic = Base64.getEncoder().encodeToString((ApiFixture.OPERATOR + ":" + ApiFixture.PASSWORD)
                    .getBytes(StandardCharsets.UTF_8));
            HttpResponse<String> api = Http11.client().send(HttpRequest.newBuilder(
                            URI.create(ApiFixture.url(server, "/api/v1/gates"))).header("Authorization", "Basic " + basic)
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(api.statusCode()).as("the API's Basic sign-in counts the same").isEqualTo(429);
            assertThat(api.headers().firstValue("content-type")).hasValue("application/problem+json");
            assertThat(api.headers().firstValue("Retry-After")).isPresent();
        }
        assertThat(new Browser().signIn(ApiFixture.OPERATOR).statusCode()).as("another server counts apart").isEqualTo(303);
    }

    @Test
    void theEventTypeAndRouteFormsShowARefusalOnTheFormAndGoOnAfterAChange() throws Exception {
        Browser browser = new Browser();
        browser.signIn(ApiFixture.OPERATOR);
        Map<String, String> type = new LinkedHashMap<>(Map.of("event_type", "Not A Type", "delivery_lane", "live",
                "description", "Forms over HTTP.", "reason", "change 4750"));
        HttpResponse<String> refused = browser.post("/event-types", type, token(browser.get("/event-types/new")));
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("id=\"form-error\"").contains("is not an event type name");
        type.put("event_type", "test.access.form");
        HttpResponse<String> registered = browser.post("/event-types", type, token(browser.get("/event-types/new")));
        assertThat(registered.statusCode()).isEqualTo(303);
        assertThat(registered.headers().firstValue("Location")).hasValue("/event-types");
        assertThat(CONSOLE.db().queryValue("SELECT delivery_lane FROM event_type_registry WHERE event_type = ?",
                "test.access.form")).isEqualTo("live");

        Map<String, String> route = new LinkedHashMap<>(Map.of("route_key", "access-form", "event_type", "test.access.form",
                "target_kind", "log", "target", "log:access", "ordered", "on", "circuit_open_ms", "4000", "reason", "r"));
        route.put("backoff_factor", "fast");
        HttpResponse<String> notANumber = browser.post("/routes", route, token(browser.get("/routes/new")));
        assertThat(notANumber.body()).contains("backoff_factor must be a number, not `fast`");
        route.remove("backoff_factor");
        HttpResponse<String> added = browser.post("/routes", route, token(browser.get("/routes/new")));
        assertThat(added.headers().firstValue("Location")).hasValue("/routes/access-form");
        assertThat(CONSOLE.db().query("SELECT ordered, circuit_open_ms FROM iu_outbound_route WHERE route_key = 'access-form'"))
                .singleElement().satisfies(row -> assertThat(row).containsEntry("ordered", true)
                        .containsEntry("circuit_open_ms", 4000));
    }

    @Test
    void aFormWithoutItsCsrfTokenIsRefusedWith403AndChangesNothing() throws Exception {
        Browser browser = new Browser();
        browser.signIn(ApiFixture.OPERATOR);
        long audit = CONSOLE.db().count("iu_core_gate_audit");
        long logged = CONSOLE.db().count("iu_command_log");

        HttpResponse<String> refused = browser.post("/gates/" + GATE + "/open", Map.of("reason", "no token"), null);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("security token is missing or out of date");
        HttpResponse<String> forged = browser.post("/gates/" + GATE + "/open", Map.of("reason", "forged"), "a.b.c");
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(CONSOLE.db().count("iu_core_gate_audit")).isEqualTo(audit);
        assertThat(CONSOLE.db().count("iu_command_log")).isEqualTo(logged);
        assertThat(CONSOLE.db().queryValue("SELECT gate_value FROM iu_core_gate WHERE gate_name = ?", GATE))
                .isEqualTo("false");

        // the same form with the page's token goes through, as alice, into the audit and the command log
        HttpResponse<String> opened = browser.post("/gates/" + GATE + "/open", Map.of("reason", "with token"),
                token(browser.get("/gates")));
        assertThat(opened.statusCode()).isEqualTo(303);
        assertThat(CONSOLE.db().query("""
                SELECT actor, reason, new_value FROM iu_core_gate_audit WHERE gate_name = ? ORDER BY id DESC LIMIT 1""",
                GATE).get(0)).containsEntry("actor", "alice").containsEntry("reason", "with token")
                .containsEntry("new_value", "true");
        assertThat(CONSOLE.db().queryValue("""
                SELECT actor FROM iu_command_log WHERE command_name = 'gates open' ORDER BY id DESC LIMIT 1"""))
                .isEqualTo("alice");
        browser.post("/gates/" + GATE + "/close", Map.of("reason", "done"), token(browser.get("/gates")));
        assertThat(CONSOLE.db().queryValue("SELECT gate_value FROM iu_core_gate WHERE gate_name = ?", GATE))
                .isEqualTo("false");
    }

    @Test
    void aViewerWhoPostsAChangeIsRefusedWith403() throws Exception {
        Browser viewer = new Browser();
        viewer.signIn(ApiFixture.VIEWER);
        long audit = CONSOLE.db().count("iu_core_gate_audit");
        HttpResponse<String> gates = viewer.get("/gates");
        assertThat(gates.body()).doesNotContain("/gates/" + GATE + "/open");
        HttpResponse<String> refused = viewer.post("/gates/" + GATE + "/open", Map.of("reason", "viewer"), token(gates));
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("victor has role viewer");
        assertThat(CONSOLE.db().count("iu_core_gate_audit")).isEqualTo(audit);
        assertThat(viewer.get("/routes/new").statusCode()).isEqualTo(403);
    }

    @Test
    void signingOutEndsTheSession() throws Exception {
        Browser browser = new Browser();
        browser.signIn(ApiFixture.VIEWER);
        HttpResponse<String> out = browser.post("/logout", Map.of(), token(browser.get("/")));
        assertThat(out.statusCode()).isEqualTo(303);
        assertThat(browser.get("/").statusCode()).isEqualTo(303);
    }

    static String token(HttpResponse<String> page) {
        Matcher matcher = TOKEN.matcher(page.body());
        assertThat(matcher.find()).as("a CSRF field on %s", page.uri()).isTrue();
        return matcher.group(1);
    }

    /** An HTTP client with its own cookie jar, as one browser. */
    static final class Browser {

        private final HttpClient http = Http11.builder().cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
        private final String base;

        Browser() {
            this(CONSOLE.url(""));
        }

        Browser(String base) {
            this.base = base;
        }

        HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
            if (headers.length > 0) {
                request.headers(headers);
            }
            return http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> post(String path, Map<String, String> form, String token)
                throws IOException, InterruptedException {
            Map<String, String> fields = new LinkedHashMap<>(form);
            if (token != null) {
                fields.put("X-XSRF-TOKEN", token);
            }
            String body = fields.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                    + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
            return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                            .header("content-type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> signIn(String user) throws IOException, InterruptedException {
            HttpResponse<String> in = post("/login", Map.of("username", user, "password", ApiFixture.PASSWORD),
                    token(get("/login")));
            assertThat(in.statusCode()).as("signed in as %s", user).isEqualTo(303);
            return in;
        }
    }
}
