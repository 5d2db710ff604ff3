package dev.iucore.pipeline.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Insert-to-delivery latency at a steady rate (DESIGN §12), never a test: the real service with
 * the product's default relay settings (poll floors 1 s and 500 ms, LISTEN/NOTIFY on, 8 workers,
 * route concurrency 4) on the durable embedded PostgreSQL, one event type with two routes, a
 * {@code log} route and an HTTP route to a local sink. A producer inserts one event per
 * transaction at each rate in turn; per event and route the latency runs from the moment the
 * producer's commit returned (client clock) to the delivery's {@code delivered_at} (the database's
 * clock, the same host clock: set when the relay records the try, after the send). For the HTTP
 * route also to the moment the sink received the webhook (the benchmark's own clock), and for the
 * event to its {@code dispatched_at}. A warm-up at the first rate is not counted.
 *
 * <pre>mvn -B -q test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.iucore.pipeline.bench.LatencyBenchmark -Dexec.args="50,200 60 10"</pre>
 * arguments: rates (events/s, comma-separated), seconds per rate, seconds of warm-up.
 */
public final class LatencyBenchmark {

    static final String TYPE = "bench.latency";
    static final String LOG_ROUTE = "bench-log";
    static final String HTTP_ROUTE = "bench-http";
    static final String OUTCOMES = """
            SELECT d.event_id, d.route_key, d.delivered_at, e.dispatched_at
              FROM iu_route_delivery d JOIN event_outbox e ON e.event_id = d.event_id
             WHERE d.status = 'delivered'""";

    private LatencyBenchmark() {
    }

    public static void main(String[] args) {
        BenchMain.run(args, LatencyBenchmark::run);
    }

    private static void run(String[] args) throws Exception {
        int[] rates = Arrays.stream((args.length > 0 ? args[0] : "50,200").split(",")).mapToInt(Integer::parseInt).toArray();
        Duration each = Duration.ofSeconds(args.length > 1 ? Integer.parseInt(args[1]) : 60);
        Duration warmUp = Duration.ofSeconds(args.length > 2 ? Integer.parseInt(args[2]) : 10);
        StringBuilder table = new StringBuilder("| rate | from insert commit to | events | p50 | p90 | p99 | max |\n|---|---|---|---|---|---|---|\n");
        try (BenchDatabase database = BenchDatabase.start(); BenchSink sink = new BenchSink()) {
            System.out.println(database.machine());
            database.typeWithRoutes(TYPE, Map.of(LOG_ROUTE, "log:bench", HTTP_ROUTE, sink.url()));
            database.openGates(LOG_ROUTE, HTTP_ROUTE);
            try (BenchService service = BenchService.start(database, database.settings(Map.of())).awaitStarted(Duration.ofMinutes(1));
                 SteadyProducer producer = new SteadyProducer(database, TYPE)) {
                long inserted = producer.produce(rates[0], warmUp).size();
                awaitDelivered(database, 2 * inserted);
                System.out.printf(Locale.ROOT, "warm-up: %,d events at %d/s, not counted%n", inserted, rates[0]);
                for (int rate : rates) {
                    long start = System.nanoTime();
                    Map<UUID, Instant> committed = producer.produce(rate, each);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    inserted += committed.size();
                    awaitDelivered(database, 2 * inserted);
                    System.out.printf(Locale.ROOT, "%d/s: %,d events inserted in %.1f s (%.1f/s), one transaction each%n",
                            rate, committed.size(), seconds, committed.size() / seconds);
                    measure(database, sink, committed).forEach((what, p) -> {
                        String row = "| " + rate + "/s | " + what + " " + p.row();
                        System.out.println(row);
                        table.append(row).append('\n');
                    });
                }
            }
        }
        System.out.println();
        System.out.print(table);
    }

    /** Every delivery so far delivered; a delivery that never comes fails the run rather than hiding in a percentile. */
    private static void awaitDelivered(BenchDatabase database, long deliveries) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        long delivered;
        while ((delivered = database.count(BenchDatabase.DELIVERED)) < deliveries) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(delivered + " of " + deliveries + " deliveries delivered after 5 minutes");
            }
            Thread.sleep(100);
        }
    }

    /** The latencies of the events committed in one phase, by what they run to. */
    private static Map<String, Percentiles> measure(BenchDatabase database, BenchSink sink, Map<UUID, Instant> committed)
            throws SQLException {
        List<Duration> dispatched = new ArrayList<>();
        List<Duration> logDelivered = new ArrayList<>();
        List<Duration> httpReceived = new ArrayList<>();
        List<Duration> httpDelivered = new ArrayList<>();
        try (Connection c = database.owner().getConnection(); PreparedStatement ps = c.prepareStatement(OUTCOMES);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                UUID eventId = rs.getObject(1, UUID.class);
                Instant commit = committed.get(eventId);
                if (commit == null) {
                    continue;
                }
                Instant delivered = rs.getObject(3, OffsetDateTime.class).toInstant();
                if (rs.getString(2).equals(LOG_ROUTE)) {
                    logDelivered.add(Duration.between(commit, delivered));
                    dispatched.add(Duration.between(commit, rs.getObject(4, OffsetDateTime.class).toInstant()));
                } else {
                    httpDelivered.add(Duration.between(commit, delivered));
                    httpReceived.add(Duration.between(commit, sink.firstReceived("msg_" + eventId + "_" + HTTP_ROUTE)));
                }
            }
        }
        Map<String, Percentiles> figures = new LinkedHashMap<>();
        figures.put("event `dispatched_at`", Percentiles.of(dispatched));
        figures.put("`log` delivery `delivered_at`", Percentiles.of(logDelivered));
        figures.put("http sink received the webhook", Percentiles.of(httpReceived));
        figures.put("http delivery `delivered_at`", Percentiles.of(httpDelivered));
        return figures;
    }
}
