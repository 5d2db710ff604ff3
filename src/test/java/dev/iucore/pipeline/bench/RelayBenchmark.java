package dev.iucore.pipeline.bench;

import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.config.Settings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Relay throughput, side by side in one run on one durable embedded PostgreSQL (fsync and
 * synchronous_commit on, as the service runs): the relay dispatching and delivering N events to a
 * {@code log} route and to a local HTTP sink, against the raw JDBC claim-and-mark limit on the same
 * database, the textbook camel-sql {@code onConsume} consumer (with the database's durable commits
 * and with the relay's asynchronous ones) and a raw HttpClient loop to the same sink. Prints a
 * Markdown table; not a test. The HTTP rows run twice: against a sink that keeps connections alive and
 * against one that closes every connection (as HTTP/1.0 receivers do).
 *
 * <pre>mvn -B -q test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.iucore.pipeline.bench.RelayBenchmark -Dexec.args=100000</pre>
 */
public final class RelayBenchmark {

    private static final int WORKERS = 8;
    /** The floor: claim 500 with SKIP LOCKED and mark them dispatched, nothing else. */
    static final String CLAIM_AND_MARK = """
            UPDATE event_outbox SET status = 'dispatched', dispatched_at = now()
             WHERE id IN (SELECT id FROM event_outbox WHERE status = 'pending' AND available_at <= now()
                          ORDER BY available_at, id LIMIT 500 FOR UPDATE SKIP LOCKED)""";

    private RelayBenchmark() {
    }

    public static void main(String[] args) {
        BenchMain.run(args, RelayBenchmark::run);
    }

    private static void run(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        Map<String, String> results = new LinkedHashMap<>();
        try (BenchDatabase database = BenchDatabase.start(); BenchSink sink = new BenchSink()) {
            System.out.println(database.machine());
            database.typeWithRoutes("bench.raw", Map.of());
            database.typeWithRoutes("bench.log", Map.of("bench-log", "log:bench"));
            database.typeWithRoutes("bench.http", Map.of("bench-http", sink.url()));
            database.typeWithRoutes("bench.close", Map.of("bench-close", sink.closingUrl()));
            Settings settings = database.settings(Map.of(
                    Setting.DB_POOL_SIZE, "20",
                    Setting.DELIVERY_WORKERS, Integer.toString(WORKERS),
                    Setting.DELIVERY_ROUTE_CONCURRENCY, Integer.toString(WORKERS)));

            database.empty();
            database.backlog("bench.raw", events);
            record(results, "raw JDBC claim-and-mark (batch 500, no relay)", rate(events, rawClaimAndMark(database)));
            for (boolean asyncCommit : List.of(false, true)) {
                database.empty();
                database.backlog("bench.raw", events);
                record(results, "textbook camel-sql `onConsume` (500 a poll, delay 10 ms), synchronous_commit "
                        + (asyncCommit ? "off" : "on"), rate(events, TextbookSqlConsumer.drain(database, asyncCommit)));
            }

            for (String route : List.of("bench-log", "bench-http", "bench-close")) {
                database.empty();
                database.openGates(route);
                database.backlog("bench." + route.substring(6), events);
                Duration[] took = relay(database, settings, events);
                record(results, "relay dispatch, " + route.substring(6) + " route", rate(events, took[0]));
                record(results, "relay dispatch + delivery, " + route.substring(6) + " route", rate(events, took[1]));
            }
            record(results, "raw HttpClient loop, " + WORKERS + " threads, same sink",
                    rate(events, rawHttp(sink.url(), events)));
            record(results, "raw HttpClient loop, " + WORKERS + " threads, same sink closing every connection",
                    rate(events, rawHttp(sink.closingUrl(), events)));
            record(results, "relay tries counted as failed, receiver closing every connection",
                    Long.toString(database.count("SELECT count(*) FROM iu_route_attempt WHERE outcome <> 'delivered'")));
        }
        System.out.printf(Locale.ROOT, "%n| measure (%,d events) | events/s |%n|---|---|%n", events);
        results.forEach((k, v) -> System.out.printf("| %s | %s |%n", k, v));
    }

    /** From the service's cold start to the last event dispatched, and to the last delivery delivered. */
    private static Duration[] relay(BenchDatabase database, Settings settings, int events) throws Exception {
        long start = System.nanoTime();
        try (BenchService service = BenchService.start(database, settings)) {
            Duration dispatched = null;
            while (true) {
                if (dispatched == null && database.count(BenchDatabase.PENDING) == 0) {
                    dispatched = Duration.ofNanos(System.nanoTime() - start);
                }
                if (dispatched != null && database.count(BenchDatabase.DELIVERED) == events) {
                    return new Duration[] {dispatched, Duration.ofNanos(System.nanoTime() - start)};
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

    /** The floor: one transaction per batch of 500, nothing but the claim and the mark. */
    private static Duration rawClaimAndMark(BenchDatabase database) throws SQLException {
        long start = System.nanoTime();
        try (Connection c = database.owner().getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(CLAIM_AND_MARK)) {
                while (ps.executeUpdate() > 0) {
                    c.commit();
                }
                c.commit();
            }
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private static Duration rawHttp(String url, int events) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        AtomicLong next = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
        long start = System.nanoTime();
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int t = 0; t < WORKERS; t++) {
            all.add(CompletableFuture.runAsync(() -> {
                try {
                    while (next.getAndIncrement() < events) {
                        sendRetrying(client, url);
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
    private static void sendRetrying(HttpClient client, String url) throws InterruptedException {
        while (true) {
            try {
                client.send(HttpRequest.newBuilder(URI.create(url))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"n\": 1}")).build(),
                        HttpResponse.BodyHandlers.discarding());
                return;
            } catch (IOException e) {
                // retried
            }
        }
    }

    private static String rate(int events, Duration took) {
        return String.format(Locale.ROOT, "%,.0f (%.1f s)", events / (took.toNanos() / 1e9), took.toNanos() / 1e9);
    }
}
