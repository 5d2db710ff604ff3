package dev.iucore.pipeline.api;

import dev.iucore.pipeline.config.ConfigurationException;
import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.config.Settings;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator HTTP API and console: a Vert.x Web router on its own port ({@code iu.console.host}:{@code
 * iu.console.port}), apart from Camel's management server, so the two never share exposure or
 * authentication. JSON under {@code /api/v1/}, its OpenAPI document at {@code /api/openapi.json},
 * errors as problem details; the console's pages at {@code /} ({@link Console}). Reads query the database as the CLI's listings do; every change runs
 * the CLI's own command through {@link CommandRunner}.
 */
public final class ApiServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    private static final long BODY_LIMIT = 1 << 20;

    private final Vertx vertx;
    private final HttpServer server;
    private final List<String> operations;

    private ApiServer(Vertx vertx, HttpServer server, List<String> operations) {
        this.vertx = vertx;
        this.server = server;
        this.operations = operations;
    }

    /**
     * The users of the API as configured: read before anything else starts, so a missing file, or
     * one others may read, stops the service at once with the reason.
     */
    public static ConsoleUsers users(Settings settings) {
        String usersFile = settings.optional(Setting.CONSOLE_USERS_FILE).orElseThrow(() ->
                new ConfigurationException(Setting.CONSOLE_ENABLED.key() + " is true but "
                        + Setting.CONSOLE_USERS_FILE.key() + " is not set: name the users file (create it with"
                        + " `iu-core console add-user`)"));
        return ConsoleUsers.load(Path.of(usersFile));
    }

    /** Listens on {@code iu.console.host}:{@code iu.console.port}; returns once the port is bound. */
    public static ApiServer start(Settings settings, ConsoleUsers users, DataSource runtime, CommandRunner commands) {
        return start(settings.get(Setting.CONSOLE_HOST), settings.getInt(Setting.CONSOLE_PORT),
                settings.getBoolean(Setting.CONSOLE_SECURE_COOKIES), settings.getInt(Setting.CONSOLE_SIGN_IN_FAILURES),
                users, runtime, commands);
    }

    /** @param signInFailures failed sign-ins in a row before sign-in is refused for a while ({@link SignInThrottle}) */
    static ApiServer start(String host, int port, boolean secureCookies, int signInFailures, ConsoleUsers users,
                           DataSource runtime, CommandRunner commands) {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(8));
        try {
            Router router = Router.router(vertx);
            List<String> operations = register(router, vertx, secureCookies,
                    new SignInThrottle(signInFailures, Clock.systemUTC()), users, runtime, commands);
            HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port)
                            // HTTP/1.1 only: no cleartext upgrade to HTTP/2 for an API of small JSON documents
                            .setHttp2ClearTextEnabled(false))
                    .requestHandler(router).listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            LOG.info("operator console on http://{}:{}/, its API at /api/v1/ (OpenAPI: /api/openapi.json), {} user(s)", host,
                    server.actualPort(), users.users().size());
            return new ApiServer(vertx, server, operations);
        } catch (Exception e) {
            vertx.close();
            throw new IllegalStateException("cannot start the operator API on " + host + ":" + port + ": "
                    + (e.getCause() == null ? e.getMessage() : e.getCause().getMessage()), e);
        }
    }

    private static List<String> register(Router router, Vertx vertx, boolean secureCookies, SignInThrottle throttle,
                                         ConsoleUsers users, DataSource runtime, CommandRunner runner) {
        String openApi = resource("openapi.json");
        router.get("/api/openapi.json").handler(c -> c.response().putHeader("content-type", "application/json")
                .end(openApi));
        router.route(Endpoints.BASE + "/*").handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT));
        Authentication authentication = new Authentication(users, throttle);
        router.route(Endpoints.BASE + "/*").blockingHandler(authentication::handle, false);
        Endpoints endpoints = new Endpoints(router);
        Commands commands = new Commands(runner);
        JsonQuery query = new JsonQuery(runtime);
        new GatesApi(runtime, query, commands).register(endpoints);
        new RoutesApi(runtime, commands).register(endpoints);
        new DeadLettersApi(runtime, commands).register(endpoints);
        new DeliveriesApi(query).register(endpoints);
        new EventTypesApi(query, commands).register(endpoints);
        new VerifyApi(commands).register(endpoints);
        new CommandLogApi(query).register(endpoints);
        new BatchesApi(query, commands).register(endpoints);
        new MatrixApi(query, commands).register(endpoints);
        new OverviewApi(runtime, query).register(endpoints);
        router.route("/api/*").last().handler(c -> Problems.send(c, ApiProblem.notFound("no operation "
                + c.request().method() + " " + c.request().path() + "; /api/openapi.json lists them")));
        new Console(endpoints, users, throttle).register(router, vertx, secureCookies);
        router.errorHandler(413, c -> Problems.send(c, new ApiProblem(413, "Content too large",
                "the request body is larger than " + BODY_LIMIT + " bytes", null)));
        router.errorHandler(500, c -> Problems.send(c, c.failure() == null ? new IllegalStateException() : c.failure()));
        return endpoints.operations();
    }

    static String resource(String name) {
        try (InputStream in = ApiServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name + " beside " + ApiServer.class.getName());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the server answers, as {@code get /gates}: the OpenAPI document must name exactly these. */
    List<String> operations() {
        return operations;
    }

    public int port() {
        return server.actualPort();
    }

    @Override
    public void close() {
        try {
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("operator API did not stop cleanly: {}", e.getMessage());
        } finally {
            vertx.close();
        }
    }
}
