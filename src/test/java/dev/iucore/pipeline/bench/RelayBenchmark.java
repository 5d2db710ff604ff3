package dev.iucore.pipeline.bench;

import ch.qos.logback.classic.Level;
import com.sun.net.httpserver.HttpServer;
import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.config.Settings;
import dev.iucore.pipeline.db.EmbeddedPostgresServer;
import dev.iucore.pipeline.db.Migrator;
import dev.iucore.pipeline.service.PipelineService;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.LoggerFactory;

/**
 * Relay throughput, side by side in one run on one durable embedded PostgreSQL (fsync and
 * synchronous_commit on, as the service runs): the relay dispatching and delivering N events to a
 * {@code log} route and to a local HTTP sink, against the raw JDBC claim-and-mark limit on the same
 * database and a raw HttpClient loop to the same sink. Prints a Markdown table; not a test.
 *
 * <pre>mvn -B -q test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.iucore.pipeline.bench.RelayBenchmark -Dexec.args=100000</pre>
 */
public final class RelayBenchmark {

    private static final int WORKERS = 8;

    public static void main(String[] args) {
        int status = 0;
        try {
            run(args);
        } catch (Exception | Error e) {
            e.printStackTrace();
            status = 1;
        }
        // exec:java waits for every non-daemon thread (HTTP client pools); the figures are out
        System.exit(status);
    }

    private static void run(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
        Path dataDir = Files.createTempDirectory("iu-core-bench");
        Map<String, String> results = new LinkedHashMap<>();
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.startOrAttach(dataDir, 0,
                EmbeddedPostgresServer.Mode.SERVICE, "bench", new EmbeddedPostgresServer.RoleNames("iu_core_owner", "iu_core_app"), true);
             Sink sink = new Sink()) {
            DataSource owner = dataSource(server, "iu_core_owner");
            new Migrator(owner, "iu_core_app").migrate();
            setUp(owner, sink);
            Settings settings = Settings.load(Map.of(), new Properties()).with(Map.of(
                    Setting.DB_URL, server.jdbcUrl(EmbeddedPostgresServer.DATABASE),
                    Setting.DB_POOL_SIZE, "20",
                    Setting.DELIVERY_WORKERS, Integer.toString(WORKERS),
                    Setting.DELIVERY_ROUTE_CONCURRENCY, Integer.toString(WORKERS),
                    Setting.NODE_ID, "bench"));

            reset(owner);
            insert(owner, "bench.raw", events);
            record(results, "raw JDBC claim-and-mark (batch 500, no relay)", rate(events, rawClaimAndMark(owner)));

            for (String route : List.of("bench-log", "bench-http")) {
                reset(owner);
                gates(owner, route);
                insert(owner, "bench." + route.substring(6), events);
                Duration[] took = relay(settings, owner, events);
                record(results, "relay dispatch, " + route.substring(6) + " route", rate(events, took[0]));
                record(results, "relay dispatch + delivery, " + route.substring(6) + " route", rate(events, took[1]));
            }
            record(results, "raw HttpClient loop, " + WORKERS + " threads, same sink", rate(events, rawHttp(sink, events)));
        }
        System.out.printf(Locale.ROOT, "%n| measure (%,d events) | events/s |%n|---|---|%n", events);
        results.forEach((k, v) -> System.out.printf("| %s | %s |%n", k, v));
    }

    private static Duration[] relay(Settings settings, DataSource owner, int events) throws Exception {
        try (com.zaxxer.hikari.HikariDataSource pool = pool(settings)) {
            PipelineService service = new PipelineService(settings, pool);
            long start = System.nanoTime();
            CompletableFuture<Void> running = CompletableFuture.runAsync(() -> {
                try {
                    service.run();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Duration dispatched = null;
            while (true) {
                long pending = count(owner, "SELECT count(*) FROM event_outbox WHERE status = 'pending'");
                if (dispatched == null && pending == 0) {
                    dispatched = Duration.ofNanos(System.nanoTime() - start);
                }
                if (dispatched != null && count(owner, "SELECT count(*) FROM iu_route_delivery WHERE status = 'delivered'") == events) {
                    Duration delivered = Duration.ofNanos(System.nanoTime() - start);
                    service.stop();
                    running.join();
                    return new Duration[] {dispatched, delivered};
                }
                Thread.sleep(50);
            }
        }
    }

    /** Keeps a figure for the table, and prints it at once: a long run shows its progress. */
    private static void record(Map<String, String> results, String measure, String figure) {
        results.put(measure, figure);
        System.out.println(measure + ": " + figure);
    }

    /** The floor: claim 500 with SKIP LOCKED and mark them dispatched, one transaction per batch, nothing else. */
    private static Duration rawClaimAndMark(DataSource owner) throws SQLException {
        long start = System.nanoTime();
        try (Connection c = owner.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE event_outbox SET status = 'dispatched', dispatched_at = now()
                     WHERE id IN (SELECT id FROM event_outbox WHERE status = 'pending' AND available_at <= now()
                                  ORDER BY available_at, id LIMIT 500 FOR UPDATE SKIP LOCKED)""")) {
                while (ps.executeUpdate() > 0) {
                    c.commit();
                }
                c.commit();
            }
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private static Duration rawHttp(Sink sink, int events) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        AtomicLong next = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
        long start = System.nanoTime();
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int t = 0; t < WORKERS; t++) {
            all.add(CompletableFuture.runAsync(() -> {
                try {
                    while (next.getAndIncrement() < events) {
                        sendRetrying(client, sink);
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, pool));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        pool.shutdown();
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** Like the relay, a try that the sink's connection handling drops is simply tried again. */
    private static void sendRetrying(HttpClient client, Sink sink) throws InterruptedException {
        while (true) {
            try {
                client.send(HttpRequest.newBuilder(URI.create(sink.url()))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"n\": 1}")).build(),
                        HttpResponse.BodyHandlers.discarding());
                return;
            } catch (IOException e) {
                // retried
            }
        }
    }

    private static void setUp(DataSource owner, Sink sink) throws SQLException {
        execute(owner, "INSERT INTO event_type_registry (event_type, delivery_lane, description) VALUES "
                + "('bench.raw', 'live', 'bench'), ('bench.log', 'live', 'bench'), ('bench.http', 'live', 'bench')");
        execute(owner, "INSERT INTO iu_outbound_route (route_key, event_type, target_uri) VALUES "
                + "('bench-log', 'bench.log', 'log:bench'), ('bench-http', 'bench.http', '" + sink.url() + "')");
    }

    private static void gates(DataSource owner, String route) throws SQLException {
        execute(owner, "UPDATE iu_core_gate SET gate_value = CASE gate_name WHEN 'delivery_enabled' THEN 'true' "
                + "WHEN 'delivery_live_routes' THEN '" + route + "' ELSE gate_value END");
    }

    private static void reset(DataSource owner) throws SQLException {
        execute(owner, "TRUNCATE event_outbox, iu_route_delivery, iu_route_attempt, iu_route_dead_letter CASCADE");
        execute(owner, "VACUUM ANALYZE event_outbox");
    }

    private static void insert(DataSource owner, String type, int events) throws SQLException {
        execute(owner, "INSERT INTO event_outbox (event_type, aggregate_type, aggregate_id, payload) "
                + "SELECT '" + type + "', 'bench', 'a-' || (i % 1000), jsonb_build_object('n', i, 'text', repeat('x', 200)) "
                + "FROM generate_series(1, " + events + ") AS i");
        execute(owner, "ANALYZE event_outbox");
    }

    private static long count(DataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void execute(DataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static String rate(int events, Duration took) {
        return String.format(Locale.ROOT, "%,.0f (%.1f s)", events / (took.toNanos() / 1e9), took.toNanos() / 1e9);
    }

    private static DataSource dataSource(EmbeddedPostgresServer server, String user) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(server.jdbcUrl(EmbeddedPostgresServer.DATABASE));
        ds.setUser(user);
        return ds;
    }

    private static com.zaxxer.hikari.HikariDataSource pool(Settings settings) {
        com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
        config.setJdbcUrl(settings.get(Setting.DB_URL));
        config.setUsername("iu_core_app");
        config.setMaximumPoolSize(20);
        return new com.zaxxer.hikari.HikariDataSource(config);
    }

    /** A local HTTP sink answering 200 to everything, on its own small thread pool. */
    private static final class Sink implements AutoCloseable {
        private final HttpServer server;
        private final ExecutorService executor = Executors.newFixedThreadPool(8);

        Sink() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
            server.createContext("/sink", exchange -> {
                exchange.getRequestBody().readAllBytes();
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            server.setExecutor(executor);
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/sink";
        }

        @Override
        public void close() {
            server.stop(0);
            executor.shutdown();
        }
    }
}
