package dev.iucore.pipeline.bench;

import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.testing.Http11;
import java.io.IOException;
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
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;

/**
 * The relay's figures, side by side in one run on one durable embedded PostgreSQL (fsync and
 * synchronous_commit on), never a test. The relay is {@code iu-core run} in a JVM of its own with
 * the product's default settings (8 workers, route windows from 4 to 128), ready before any event
 * is written, as deployed, and warmed: before a section measures it, each service delivers 80,000
 * events of a route of its own ({@code -Dbench.warm-up=N}; 0: from a cold start), and each raw loop
 * runs once untimed. The sink is the JDK HTTP server on 127.0.0.1 in the benchmark's JVM. Rows:
 * <ul>
 * <li>the floors: the raw JDBC claim-and-mark loop (claim 500 with SKIP LOCKED and mark them, nothing
 *     else) and the textbook camel-sql {@code onConsume} relay, with durable and asynchronous commits;</li>
 * <li>dispatch to a {@code log} route, and dispatch + delivery, of N events seeded at once; with the
 *     floors, each run right after a raw loop, three times ({@code -Dbench.log-rounds=N}), target 1
 *     scored on the median round; then again
 *     beside 3,000,000 delivered deliveries of its own kept as history ({@code -Dbench.history=N}), as
 *     retention keeps them: a new delivery must not cost more for them;</li>
 * <li>dispatch + delivery to the HTTP sink with N pending, against a raw HttpClient loop with as many
 *     requests in flight as the relay has workers; the delivery rate over the same 800 deliveries with
 *     1,000 and with N pending, and over the 20,000 after the first 10,000 of N;</li>
 * <li>delivery alone (deliveries seeded, no dispatch beside it) with about 1,000 and with about N
 *     pending throughout: what a claim costs against the backlog;</li>
 * <li>the same against the sink closing every connection (as HTTP/1.0 receivers do), with the tries
 *     counted as failed;</li>
 * <li>the same against a receiver answering after 20 ms;</li>
 * <li>dispatch + delivery to the sink while a second route's receiver stalls mid-body (headers and ten
 *     bytes of a hundred), with how long its tries took;</li>
 * <li>events inserted while the service runs (four producers, ten events a transaction);</li>
 * <li>insert-to-delivered latency at a steady 1,000 events/s (http route), after 20 s of it untimed, and its parts;</li>
 * <li>two processes on one database against one, to the sink and to the receiver answering after 20 ms;</li>
 * <li>the service's resident set (RSS) while it drains a backlog of 1,000,000 events.</li>
 * </ul>
 * Then the targets of the sections run, each ratio from the rows above it, with its bound, met or
 * missed ({@link Scorecard}).
 *
 * <pre>mvn -B -q test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.iucore.pipeline.bench.RelayBenchmark -Dexec.args=100000</pre>
 * arguments: N (default 100,000), then optionally the sections to run, comma-separated, of
 * {@code floor,log,history,http,claim,close,slow,stall,live,latency,two,rss} (default all but history,
 * which takes minutes to seed).
 * {@code -Dbench.statements=16} prints, after each drain of the log, close and two sections, the 16
 * statements the service spent most database time on ({@link StatementStatistics}).
 */
public final class RelayBenchmark {

    private static final int WORKERS = Integer.parseInt(Setting.DELIVERY_WORKERS.defaultValue());
    private static final String RAW_BODY = "{\"n\": 1}";
    /** Backlogs of 1,000 the rate with a small backlog is the median of. */
    private static final int SMALL_BACKLOG_ROUNDS = 5;
    /** The floor: claim 500 with SKIP LOCKED and mark them dispatched, nothing else. */
    static final String CLAIM_AND_MARK = """
            UPDATE event_outbox SET status = 'dispatched', dispatched_at = now()
             WHERE id IN (SELECT id FROM event_outbox WHERE status = 'pending' AND available_at <= now()
                          ORDER BY available_at, id LIMIT 500 FOR UPDATE SKIP LOCKED)""";
    static final String FAILED_TRIES = "SELECT count(*) FROM iu_route_attempt WHERE outcome <> 'delivered'";
    static final String STALL_ROUTE_POLICY = """
            UPDATE iu_outbound_route SET max_attempts = 1, connect_timeout_ms = 1000, read_timeout_ms = 1000,
                   circuit_failure_threshold = 1000
             WHERE route_key = 'bench-stall'""";
    static final String STALLED_TRIES = """
            SELECT count(*) FILTER (WHERE a.outcome = 'timeout'), count(*), coalesce(max(a.latency_ms), 0)
              FROM iu_route_attempt a JOIN iu_route_delivery d ON d.id = a.delivery_id WHERE d.route_key = 'bench-stall'""";
    private static final int SLOW = 5_000;
    private static final int STALLED = 20;
    static final String SERVER_VACUUMS = """
            SELECT sum(autovacuum_count + autoanalyze_count) FROM pg_stat_user_tables
             WHERE relname IN ('event_outbox', 'iu_route_delivery', 'iu_route_attempt')""";
    static final String SERVER_CHECKPOINTS = "SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter";
    /** Each delivered http event's moments: its dispatch transaction's start, and delivered_at. */
    static final String HTTP_LATENCIES = """
            SELECT d.event_id, o.dispatched_at, d.delivered_at
              FROM iu_route_delivery d
              JOIN event_outbox o ON o.event_id = d.event_id
             WHERE d.route_key = 'bench-http' AND d.status = 'delivered'""";
    static final String INSERT_TEN = """
            INSERT INTO event_outbox (event_type, aggregate_type, aggregate_id, payload)
            SELECT 'bench.http', 'bench', 'p-' || (i % 1000), jsonb_build_object('n', i, 'text', repeat('x', 200))
              FROM generate_series(1, 10) AS i""";
    private static final int TEXTBOOK_EVENTS = 20_000;
    private static final int SMALL = 20_000;
    /** The small backlog {@link #claimAlone} holds, for how many deliveries, topped up once this many were delivered. */
    private static final int HELD_SMALL = 1_000;
    private static final int HELD_DELIVERIES = 30_000;
    private static final int TOP_UP = 250;
    private static final int CLAIM_ROUNDS = 3;
    /** Rounds of target 1's raw loop and log dispatch ({@code -Dbench.log-rounds=N}) when both sections run. */
    private static final int LOG_ROUNDS = Integer.getInteger("bench.log-rounds", 3);
    private static final int RSS_BACKLOG = 1_000_000;
    /**
     * Delivered deliveries the history section keeps beside its backlog ({@code -Dbench.history=N}): more
     * than the 128 MB of buffers the embedded server has hold of one index of them.
     */
    private static final int HISTORY = Integer.getInteger("bench.history", 3_000_000);
    private static final Duration RSS_WINDOW = Duration.ofSeconds(60);
    private static final int LATENCY_RATE = 1_000;
    private static final Duration LATENCY_RUN = Duration.ofSeconds(30);
    /**
     * The steady rate before the latency is measured: a trickle runs other code than the warm-up's
     * backlog, and the service's JIT compilers took 0.4 of 2 cores for the first 10 s of it, 0.03-0.08
     * after 20 s (jstack per-thread CPU, 2026-12-02).
     */
    private static final Duration LATENCY_WARM = Duration.ofSeconds(20);
    /** Events each service delivers before a section measures it ({@link #warm}). */
    private static final int WARM_UP = Integer.getInteger("bench.warm-up", 80_000);
    /** The warm-up's route, to the kept-alive sink: {@code bench-warm} of event type {@code bench.warm}. */
    private static final String WARM_ROUTE = "warm";

    private final BenchDatabase database;
    private final BenchSink sink;
    private final Map<String, String> results = new LinkedHashMap<>();
    private final Scorecard scorecard = new Scorecard();
    private final Path output;
    /** The routes the section under way made live ({@link #fresh}); the warm-up's route is live only while it runs. */
    private String[] live = {};

    private RelayBenchmark(BenchDatabase database, BenchSink sink) throws IOException {
        this.database = database;
        this.sink = sink;
        this.output = Files.createTempFile("iu-core-bench-relay", ".log");
    }

    public static void main(String[] args) {
        BenchMain.run(args, RelayBenchmark::run);
    }

    private static void run(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        Set<String> sections = Set.of((args.length > 1 ? args[1] : "floor,log,http,claim,close,slow,stall,live,latency,two,rss").split(","));
        try (BenchDatabase database = BenchDatabase.start(); BenchSink sink = new BenchSink()) {
            System.out.println(database.machine());
            database.typeWithRoutes("bench.raw", Map.of());
            database.typeWithRoutes("bench.log", Map.of("bench-log", "log:bench"));
            database.typeWithRoutes("bench.http", Map.of("bench-http", sink.url()));
            database.typeWithRoutes("bench.close", Map.of("bench-close", sink.closingUrl()));
            database.typeWithRoutes("bench.slow", Map.of("bench-slow", sink.slowUrl()));
            database.typeWithRoutes("bench.stall", Map.of("bench-stall", sink.stallingUrl()));
            database.typeWithRoutes("bench.warm", Map.of("bench-warm", sink.url()));
            database.typeWithRoutes("bench.warmclose", Map.of("bench-warmclose", sink.closingUrl()));
            database.typeWithRoutes("bench.warmlog", Map.of("bench-warmlog", "log:bench-warm"));
            // one try each, ended at 1 s + 1 s: the stalling route's events are dead-lettered, not retried; its
            // circuit stays closed, so the 20 tries run side by side rather than one per circuit probe (30 s)
            database.execute(STALL_ROUTE_POLICY);
            RelayBenchmark bench = new RelayBenchmark(database, sink);
            if (sections.contains("floor")) {
                bench.textbook();
            }
            if (sections.contains("floor") || sections.contains("log")) {
                bench.rawAndLogDispatch(events, sections.contains("floor"), sections.contains("log"));
            }
            if (sections.contains("history")) {
                bench.backlog("log", events, "warmlog", HISTORY, "");
            }
            if (sections.contains("http")) {
                bench.httpBacklog(events);
            }
            if (sections.contains("claim")) {
                bench.claimAlone(events);
            }
            if (sections.contains("close")) {
                bench.closingReceiver(SMALL);
            }
            if (sections.contains("slow")) {
                bench.slowReceiver(SLOW);
            }
            if (sections.contains("stall")) {
                bench.stallingReceiverBeside(SMALL);
            }
            if (sections.contains("live")) {
                bench.insertedWhileRunning(SMALL);
            }
            if (sections.contains("latency")) {
                bench.latency();
            }
            if (sections.contains("two")) {
                bench.twoProcesses(SMALL);
            }
            if (sections.contains("rss")) {
                bench.rss();
            }
            bench.print(events);
        }
    }

    /**
     * Target 1's two figures, side by side: the raw claim-and-mark loop, then the log route's dispatch
     * of as many events, {@link #LOG_ROUNDS} times when both sections run, scored on the round whose
     * ratio is the median. A round alone moved by up to a sixth with the machine's pace (one build,
     * rounds a minute apart: BENCHMARKS.md, 2026-12-06); every round is printed.
     */
    private void rawAndLogDispatch(int events, boolean raw, boolean log) throws Exception {
        int rounds = raw && log ? LOG_ROUNDS : 1;
        List<Target1Round> taken = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            String of = rounds > 1 ? ", round " + round + " of " + rounds : "";
            double rawRate = Double.NaN;
            if (raw) {
                fresh();
                database.backlog("bench.raw", events);
                Duration took = rawClaimAndMark();
                record("raw JDBC claim-and-mark (batch 500, no relay), " + count(events) + of, rate(events, took));
                rawRate = eventsPerSecond(events, took);
            }
            double dispatched = log ? eventsPerSecond(events, backlog("log", events, "warmlog", 0, of).dispatched()) : Double.NaN;
            taken.add(new Target1Round(rawRate, dispatched));
        }
        Target1Round median = taken.stream().sorted(Comparator.comparingDouble(Target1Round::ratio)).toList().get(taken.size() / 2);
        if (rounds > 1) {
            record("log dispatch / raw claim-and-mark, each round (the target scored on the median one)", taken.stream()
                    .map(r -> String.format(Locale.ROOT, "%.2f ×", r.ratio())).collect(Collectors.joining(", ")));
        }
        if (raw) {
            scorecard.put(Scorecard.Figure.RAW_CLAIM_AND_MARK, median.raw());
        }
        if (log) {
            scorecard.put(Scorecard.Figure.LOG_DISPATCH, median.dispatched());
        }
    }

    /** One round of target 1, events a second: the raw loop and the log dispatch (NaN: that section not run). */
    private record Target1Round(double raw, double dispatched) {
        double ratio() {
            return dispatched / raw;
        }
    }

    private void textbook() throws Exception {
        for (boolean asyncCommit : List.of(false, true)) {
            fresh();
            database.backlog("bench.raw", TEXTBOOK_EVENTS);
            Duration took = TextbookSqlConsumer.drain(database, asyncCommit);
            if (!asyncCommit) {
                score(Scorecard.Figure.TEXTBOOK_DURABLE, TEXTBOOK_EVENTS, took);
            }
            record("textbook camel-sql `onConsume` (500 a poll, delay 10 ms), synchronous_commit " + (asyncCommit ? "off" : "on")
                    + ", " + count(TEXTBOOK_EVENTS), rate(TEXTBOOK_EVENTS, took));
        }
    }

    /** How long a backlog took to its last event dispatched, and to its last delivered. */
    private record Backlog(Duration dispatched, Duration delivered) {
    }

    private Backlog backlog(String route, int events) throws Exception {
        return backlog(route, events, WARM_ROUTE);
    }

    /** N events seeded while the service, warmed on {@code warmRoute}, is ready: to the last dispatched, and to the last delivered. */
    private Backlog backlog(String route, int events, String warmRoute) throws Exception {
        return backlog(route, events, warmRoute, 0, "");
    }

    /**
     * The same beside {@code history} delivered deliveries of the route's type, kept as retention keeps
     * them; {@code round} names the run among several of the same rows, if any.
     */
    private Backlog backlog(String route, int events, String warmRoute, int history, String round) throws Exception {
        fresh("bench-" + route);
        try (ServiceProcess service = service("bench-1", warmRoute)) {
            // after the warm-up, which ends on empty tables
            database.history("bench." + route, "bench-" + route, history);
            String kept = history > 0 ? ", " + count(history) + " delivered kept" : "";
            String what = route + " route, " + count(events) + kept + round;
            CpuShares cpu = new CpuShares(database);
            CpuShares.Sample before = cpu.take(service.pid());
            database.statements().reset();
            long start = database.backlog("bench." + route, events);
            Duration dispatched = until(() -> count(BenchDatabase.ANY_PENDING) == 0, start, 10);
            Duration delivered = delivered(route, (long) events + history, start);
            CpuShares.Sample after = cpu.take(service.pid());
            database.statements().print(what, events);
            record("relay dispatch, " + what, rate(events, dispatched));
            record("relay dispatch + delivery, " + what, rate(events, delivered));
            record("CPU per event, dispatch + delivery, " + route + " route" + kept + round + " (µs)",
                    CpuShares.perEvent(before, after, events));
            return new Backlog(dispatched, delivered);
        }
    }

    private void httpBacklog(int events) throws Exception {
        fresh("bench-http");
        try (ServiceProcess service = service("bench-1")) {
            // a window of 0.2 s: one scheduler hiccup moves it by a quarter, so it is taken several times
            List<Duration> windows = new ArrayList<>();
            for (int round = 0; round < SMALL_BACKLOG_ROUNDS; round++) {
                sink.forget();
                database.backlog("bench.http", 1_000);
                windows.add(window(100, 900));
                until(() -> sink.received() >= 1_000, System.nanoTime(), 10);
            }
            record("delivery rate, deliveries 100 to 900 of 1,000 pending, median of " + SMALL_BACKLOG_ROUNDS
                    + " (slowest to fastest)", median(800, windows));
        }
        fresh("bench-http");
        try (ServiceProcess service = service("bench-1")) {
            CpuShares cpu = new CpuShares(database);
            CpuShares.Sample before = cpu.take(service.pid());
            long start = database.backlog("bench.http", events);
            Duration first = window(100, 900);
            record("delivery rate, deliveries 100 to 900 of " + count(events) + " pending", rate(800, first));
            if (events >= 30_000) {
                record("delivery rate, deliveries 10,000 to 30,000 of " + count(events) + " pending",
                        rate(20_000, window(10_000, 30_000)));
                // by then the outbox is dispatched: the claim alone against what is still pending, no
                // dispatch beside it on the same two cores
                int from = events / 2;
                int to = events * 7 / 10;
                record("delivery rate, deliveries " + count(from) + " to " + count(to) + " of " + count(events)
                        + " pending (every event dispatched by then)", rate(to - from, window(from, to)));
            }
            record("relay dispatch + delivery, http route, " + count(events),
                    score(Scorecard.Figure.HTTP_DRAIN, events, delivered(events, start)));
            record("CPU per event, dispatch + delivery, http route (µs)", CpuShares.perEvent(before, cpu.take(service.pid()), events));
        }
        record("raw HttpClient loop, " + WORKERS + " requests in flight, same sink, " + count(events),
                score(Scorecard.Figure.RAW_JDK_HTTP, events, rawHttp(sink.url(), events)));
        record("raw Apache HttpClient 5 loop (the relay's client), " + WORKERS + " requests in flight, same sink, "
                + count(events), rate(events, rawApacheHttp(sink.url(), events)));
    }

    /**
     * The claim's cost against the backlog, with no dispatch beside it: the events are seeded already
     * dispatched and their deliveries inserted directly, so the relay only claims, tries and records.
     * The pending deliveries are held at about 1,000, then at about N, by topping them up as they are
     * delivered, in the same steps both times. The tables are the same size both times (with 1,000
     * pending, the other N - 1,000 deliveries are seeded delivered), so the top-ups cost the same:
     * with a table N deliveries smaller, the small backlog's top-ups took 2.1 s of each round against
     * 3.0 s. Their time on the database is printed beside the rates; the same window of each,
     * deliveries 5,000 to 25,000, alternated three times, each on a service of its own: one pair moved
     * by ±10 % from run to run.
     */
    private void claimAlone(int events) throws Exception {
        Map<Integer, List<Duration>> windows = new LinkedHashMap<>();
        Map<Integer, Long> topUpMillis = new HashMap<>();
        for (int round = 0; round < CLAIM_ROUNDS; round++) {
            for (int pending : List.of(HELD_SMALL, events)) {
                windows.computeIfAbsent(pending, p -> new ArrayList<>()).add(heldBacklog(pending, events, topUpMillis));
            }
        }
        windows.forEach((pending, taken) -> record("delivery alone (no dispatch), deliveries 5,000 to 25,000, about "
                + count(pending) + " of " + count(events) + " deliveries pending throughout, median of " + CLAIM_ROUNDS
                + " (slowest to fastest; top-ups " + topUpMillis.get(pending) / CLAIM_ROUNDS + " ms a round)",
                median(20_000, taken)));
        score(Scorecard.Figure.ALONE_SMALL_BACKLOG, 20_000, middle(windows.get(HELD_SMALL)));
        score(Scorecard.Figure.ALONE_LARGE_BACKLOG, 20_000, middle(windows.get(events)));
    }

    /** One round of {@link #claimAlone}: how long deliveries 5,000 to 25,000 took with about {@code pending} of {@code deliveries} pending. */
    private Duration heldBacklog(int pending, int deliveries, Map<Integer, Long> topUpMillis) throws Exception {
        fresh("bench-http");
        try (ServiceProcess service = service("bench-1")) {
            int total = deliveries + HELD_DELIVERIES;
            long last = database.dispatchedEvents("bench.http", total);
            last = database.deliveries("bench.http", "bench-http", "delivered", last, deliveries - pending);
            last = database.deliveries("bench.http", "bench-http", "pending", last, pending);
            database.execute("ANALYZE iu_route_delivery");
            long seeded = pending;
            long topUpNanos = 0;
            while (sink.received() < HELD_DELIVERIES) {
                long open = seeded - sink.received();
                if (open <= pending - TOP_UP && seeded < pending + HELD_DELIVERIES) {
                    int more = (int) Math.min(pending - open, pending + HELD_DELIVERIES - seeded);
                    long start = System.nanoTime();
                    last = database.deliveries("bench.http", "bench-http", "pending", last, more);
                    topUpNanos += System.nanoTime() - start;
                    seeded += more;
                } else {
                    Thread.sleep(1);
                }
            }
            topUpMillis.merge(pending, topUpNanos / 1_000_000, Long::sum);
            return window(5_000, 25_000);
        }
    }

    /** Against the sink closing every connection, the service warmed on such a receiver too, as the raw loop is. */
    private void closingReceiver(int events) throws Exception {
        score(Scorecard.Figure.CLOSE_DRAIN, events, backlog("close", events, "warmclose").delivered());
        long failed = count(FAILED_TRIES);
        scorecard.put(Scorecard.Figure.CLOSE_FAILED_TRIES, failed);
        record("relay tries counted as failed, receiver closing every connection", Long.toString(failed));
        record("raw HttpClient loop, " + WORKERS + " requests in flight, sink closing every connection, " + count(events),
                score(Scorecard.Figure.RAW_JDK_CLOSE, events, rawHttp(sink.closingUrl(), events)));
        record("raw Apache HttpClient 5 loop (the relay's client), " + WORKERS + " requests in flight, sink closing every "
                + "connection, " + count(events), rate(events, rawApacheHttp(sink.closingUrl(), events)));
    }

    private void slowReceiver(int events) throws Exception {
        backlog("slow", events);
        // the try as the relay timed it: what the send took, against the receiver's own 20 ms
        record("relay tries, slow route, median latency as recorded (ms)", Long.toString(count(
                "SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms)) FROM iu_route_attempt")));
        record("raw HttpClient loop, " + WORKERS + " requests in flight, sink answering after " + BenchSink.SLOW_MS
                + " ms, " + count(events), rate(events, rawHttp(sink.slowUrl(), events)));
    }

    /**
     * N events to the sink while 20 go to a receiver that stalls mid-body: the sink's rate beside it
     * (against the http row without it), and the stalled tries, each ended at its 2 s budget.
     */
    private void stallingReceiverBeside(int events) throws Exception {
        fresh("bench-http", "bench-stall");
        try (ServiceProcess service = service("bench-1")) {
            database.backlog("bench.stall", STALLED);
            long start = database.backlog("bench.http", events);
            Duration delivered = delivered(events, start);
            record("relay dispatch + delivery, http route, " + count(events) + ", beside a receiver stalling mid-body",
                    rate(events, delivered));
            until(() -> database.count("SELECT count(*) FROM iu_route_attempt a JOIN iu_route_delivery d ON d.id = a.delivery_id"
                    + " WHERE d.route_key = 'bench-stall'") == STALLED, start);
            try (Connection c = database.owner().getConnection(); PreparedStatement ps = c.prepareStatement(STALLED_TRIES);
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                scorecard.put(Scorecard.Figure.STALL_TIMEOUTS, rs.getLong(1));
                scorecard.put(Scorecard.Figure.STALL_TRIES, rs.getLong(2));
                record("tries of the stalling receiver's " + STALLED + " events: ended as timeout / all, longest (ms; budget 2,000)",
                        rs.getLong(1) + " / " + rs.getLong(2) + ", " + rs.getLong(3));
            }
        }
    }

    /** Four producers insert N events, ten a transaction, as fast as they can while the service runs. */
    private void insertedWhileRunning(int events) throws Exception {
        fresh("bench-http");
        try (ServiceProcess service = service("bench-1"); var pool = database.runtimePool(4)) {
            long start = System.nanoTime();
            AtomicLong left = new AtomicLong(events / 10);
            ExecutorService producers = Executors.newFixedThreadPool(4);
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                all.add(CompletableFuture.runAsync(() -> {
                    try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(INSERT_TEN)) {
                        while (left.getAndDecrement() > 0) {
                            ps.executeUpdate();
                        }
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }, producers));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
            producers.shutdown();
            Duration inserted = Duration.ofNanos(System.nanoTime() - start);
            Duration delivered = delivered(events, start);
            record("events inserted while the service runs (4 producers, 10 a transaction), inserted, " + count(events),
                    rate(events, inserted));
            record("events inserted while the service runs, first insert to last delivered, http route, " + count(events),
                    rate(events, delivered));
        }
    }

    /** Insert commit to delivered_at, http route, at a steady 1,000 events/s ({@link #LATENCY_WARM} of it not counted), and its parts. */
    private void latency() throws Exception {
        fresh("bench-http");
        try (ServiceProcess service = service("bench-1"); SteadyProducer producer = new SteadyProducer(database, "bench.http")) {
            producer.produce(LATENCY_RATE, LATENCY_WARM);
            CpuShares cpu = new CpuShares(database);
            long[] serverBefore = serverWork();
            CpuShares.Sample cpuBefore = cpu.take(service.pid());
            Map<UUID, Instant> committed = producer.produce(LATENCY_RATE, LATENCY_RUN);
            CpuShares.Sample cpuAfter = cpu.take(service.pid());
            long[] serverAfter = serverWork();
            long expected = committed.size() + LATENCY_RATE * LATENCY_WARM.toSeconds();
            delivered(expected, System.nanoTime());
            List<Duration> total = new ArrayList<>();
            List<Duration> toArrival = new ArrayList<>();
            List<Duration> toDispatch = new ArrayList<>();
            List<Duration> dispatchToArrival = new ArrayList<>();
            List<Duration> arrivalToDelivered = new ArrayList<>();
            List<Map.Entry<Instant, Duration>> byCommit = new ArrayList<>();
            try (Connection c = database.owner().getConnection(); PreparedStatement ps = c.prepareStatement(HTTP_LATENCIES);
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    UUID eventId = rs.getObject("event_id", UUID.class);
                    Instant at = committed.get(eventId);
                    if (at != null) {
                        Instant dispatched = rs.getObject("dispatched_at", OffsetDateTime.class).toInstant();
                        Instant arrived = sink.firstReceived("msg_" + eventId + "_bench-http");
                        Instant delivered = rs.getObject("delivered_at", OffsetDateTime.class).toInstant();
                        total.add(Duration.between(at, delivered));
                        byCommit.add(Map.entry(at, Duration.between(at, delivered)));
                        toArrival.add(Duration.between(at, arrived));
                        toDispatch.add(Duration.between(at, dispatched));
                        dispatchToArrival.add(Duration.between(dispatched, arrived));
                        arrivalToDelivered.add(Duration.between(arrived, delivered));
                    }
                }
            }
            String steady = "http route, steady " + count(LATENCY_RATE) + "/s for " + LATENCY_RUN.toSeconds() + " s";
            Percentiles totals = Percentiles.of(total);
            scorecard.put(Scorecard.Figure.LATENCY_P50_MS, totals.p50().toMillis());
            scorecard.put(Scorecard.Figure.LATENCY_P99_MS, totals.p99().toMillis());
            record("insert commit to delivered, " + steady + ", p50 / p99 (ms)", p50p99(total));
            record("insert commit to the webhook's arrival at the receiver, the same, p50 / p99 (ms)", p50p99(toArrival));
            record("latency part: insert commit to its dispatch transaction's start, p50 / p99 (ms)", p50p99(toDispatch));
            record("latency part: dispatch transaction's start to arrival at the receiver, p50 / p99 (ms)",
                    p50p99(dispatchToArrival));
            record("latency part: arrival to delivered (the answer, the record's wait and commit), p50 / p99 (ms)",
                    p50p99(arrivalToDelivered));
            SortedMap<Instant, Long> slowest = slowestWindows(byCommit);
            System.out.println("the slowest 1 %: each 100 ms window of their commits, its slowest (ms): " + slowest);
            record("the slowest 1 % (by insert commit to delivered): the 100 ms windows their commits fell in, of "
                    + LATENCY_RUN.toSeconds() * 10, Integer.toString(slowest.size()));
            record("during the steady phase: PostgreSQL's autovacuum and autoanalyze runs, checkpoints",
                    (serverAfter[0] - serverBefore[0]) + ", " + (serverAfter[1] - serverBefore[1]));
            record("during the steady phase: CPU in cores, of " + Runtime.getRuntime().availableProcessors(),
                    CpuShares.between(cpuBefore, cpuAfter));
        }
    }

    /**
     * The 100 ms windows of their commit instants the slowest 1 % of events fell in, each with the
     * slowest of them: a few windows means the tail is a few stalls that held every event committed
     * meanwhile (their instants, to lay beside a GC log or a flight recording); about as many as
     * events, a cost spread over the run.
     */
    private static SortedMap<Instant, Long> slowestWindows(List<Map.Entry<Instant, Duration>> latencyByCommit) {
        // a list, not a map: the events of one producer transaction share their commit instant
        int slowest = Math.max(1, latencyByCommit.size() / 100);
        return latencyByCommit.stream()
                .sorted(Map.Entry.<Instant, Duration>comparingByValue().reversed())
                .limit(slowest)
                .collect(Collectors.toMap(e -> Instant.ofEpochMilli(e.getKey().toEpochMilli() / 100 * 100),
                        e -> e.getValue().toMillis(), Math::max, TreeMap::new));
    }

    /** Autovacuum and autoanalyze runs on the relay's tables so far, and checkpoints so far. */
    private long[] serverWork() throws SQLException {
        return new long[] {count(SERVER_VACUUMS), count(SERVER_CHECKPOINTS)};
    }

    private static String p50p99(List<Duration> latencies) {
        Percentiles p = Percentiles.of(latencies);
        return p.p50().toMillis() + " / " + p.p99().toMillis();
    }

    /**
     * Two processes on one database against one, first to the sink, then to the receiver answering
     * after {@value BenchSink#SLOW_MS} ms. Against the sink one process already keeps both cores busy,
     * so a second can only share them; against the slow receiver the machine has cores to spare and
     * each process's workers are the bound, so the ratio says whether a second process adds its own
     * (its claims and in-flight bounds not contending with the first's).
     */
    private void twoProcesses(int events) throws Exception {
        twoProcesses("http", events, "", Scorecard.Figure.ONE_PROCESS_SINK, Scorecard.Figure.TWO_PROCESSES_SINK);
        twoProcesses("slow", SLOW, ", receiver answering after " + BenchSink.SLOW_MS + " ms",
                Scorecard.Figure.ONE_PROCESS_SLOW, Scorecard.Figure.TWO_PROCESSES_SLOW);
    }

    private void twoProcesses(String route, int events, String receiver, Scorecard.Figure oneFigure,
                              Scorecard.Figure twoFigure) throws Exception {
        CpuShares cpu = new CpuShares(database);
        Drain one;
        fresh("bench-" + route);
        try (ServiceProcess service = service("bench-1")) {
            one = drain(cpu, route, events, service.pid());
        }
        Drain two;
        fresh("bench-" + route);
        try (ServiceProcess first = start("bench-1"); ServiceProcess second = start("bench-2")) {
            warm(2 * WARM_UP, WARM_ROUTE);
            two = drain(cpu, route, events, first.pid(), second.pid());
        }
        record("one process, dispatch + delivery, " + route + " route" + receiver + ", " + count(events),
                score(oneFigure, events, one.took()));
        record("two processes on one database, the same" + receiver, score(twoFigure, events, two.took()));
        // the same CPU per event in both and a busy machine: the second process contends for cores, not for work
        record("CPU per event, one process" + receiver + " (µs)", one.cpu());
        record("CPU per event, two processes, both JVMs and their sessions" + receiver + " (µs)", two.cpu());
        record("database work per event, one process" + receiver, one.work());
        record("database work per event, two processes" + receiver, two.work());
    }

    /** A drain of a backlog to the last delivered: how long, and the CPU and database work per event. */
    private record Drain(Duration took, String cpu, String work) {
    }

    /** N events seeded on the route, delivered by the service processes given. */
    private Drain drain(CpuShares cpu, String route, int events, long... pids) throws Exception {
        CpuShares.Sample before = cpu.take(pids);
        database.statements().reset();
        long start = database.backlog("bench." + route, events);
        Duration took = delivered(events, start);
        CpuShares.Sample after = cpu.take(pids);
        database.statements().print(route + " route, " + count(events) + ", " + pids.length + " process" + (pids.length > 1 ? "es" : ""), events);
        return new Drain(took, CpuShares.perEvent(before, after, events), CpuShares.databasePerEvent(before, after, events));
    }

    /** The service's peak RSS while it works through a backlog of a million events for a minute. */
    private void rss() throws Exception {
        fresh("bench-log");
        // not warmed: its idle figure is the service just started
        try (ServiceProcess service = start("bench-1")) {
            long idle = service.rssBytes();
            database.backlog("bench.log", RSS_BACKLOG);
            long peak = idle;
            long end = System.nanoTime() + RSS_WINDOW.toNanos();
            while (System.nanoTime() < end) {
                peak = Math.max(peak, service.rssBytes());
                Thread.sleep(250);
            }
            long delivered = count(BenchDatabase.DELIVERED);
            scorecard.put(Scorecard.Figure.RSS_PEAK_MIB, peak >> 20);
            record("RSS of the service, idle (MiB)", Long.toString(idle >> 20));
            record("RSS of the service, peak while draining a backlog of " + count(RSS_BACKLOG) + " events for "
                    + RSS_WINDOW.toSeconds() + " s (MiB; " + count((int) delivered) + " delivered meanwhile)", Long.toString(peak >> 20));
        }
    }

    /** A service started and warmed ({@link #warm}) on the kept-alive sink, alone on the database. */
    private ServiceProcess service(String node) throws Exception {
        return service(node, WARM_ROUTE);
    }

    private ServiceProcess service(String node, String warmRoute) throws Exception {
        ServiceProcess service = start(node);
        try {
            warm(WARM_UP, warmRoute);
        } catch (Exception | Error e) {
            service.close();
            throw e;
        }
        return service;
    }

    /** {@code -Dbench.service.jvm="-XX:StartFlightRecording=..."}: options for the service's JVM, to profile it. */
    private ServiceProcess start(String node) throws Exception {
        String options = System.getProperty("bench.service.jvm", "").strip();
        return ServiceProcess.start(database, node, options.isEmpty() ? List.of() : List.of(options.split("\\s+")), output);
    }

    /**
     * The service(s) running deliver this many events to the sink on a route of their own before the
     * section measures anything, then the tables and the sink's count are emptied again: the figures
     * are those of a service that has run a while, as one in production has: a JVM just started
     * spends 40% of a core compiling (C2) for its first 50 to 60 s of work, 18 CPU-s in all here.
     * A receiver that closes every connection runs code a kept-alive one does not (a connection per
     * try), and a {@code log} route none of the HTTP client's: their sections warm on a route of their
     * kind ({@code warmclose}, {@code warmlog}), as the raw HTTP loop warms on the receiver it measures.
     * {@code -Dbench.warm-up=0}
     * measures from a cold start, as this benchmark did before 2026-12-01.
     */
    private void warm(int events, String route) throws Exception {
        if (events == 0) {
            return;
        }
        List<String> routes = new ArrayList<>(List.of(live));
        routes.add("bench-" + route);
        database.openGates(routes.toArray(String[]::new));
        database.backlog("bench." + route, events);
        delivered(route, events, System.nanoTime());
        fresh(live);
    }

    /** An empty outbox and delivery tables, and exactly this route live. */
    private void fresh(String... liveRoutes) throws SQLException {
        live = liveRoutes;
        database.empty();
        sink.forget();
        database.openGates(liveRoutes);
    }

    /**
     * How long from the {@code from}-th webhook received by the sink to the {@code to}-th, by the sink's
     * own arrival times: counted in this JVM, so the measurement puts no load on the database it
     * measures, and right however soon the first ones came.
     */
    private Duration window(int from, int to) throws Exception {
        until(() -> sink.received() >= to, System.nanoTime(), 10);
        return sink.between(from, to);
    }

    /**
     * Until {@code events} webhooks are recorded delivered: first by the sink's own count (in this JVM,
     * free), then by the database's, polled only once the sink has them all. Counting deliveries in
     * the database ten times a second throughout scans the table the relay works on, a share of the
     * CPU the relay is measured on (and its count, not the sink's, is what says delivered).
     */
    private Duration delivered(long events, long start) throws Exception {
        until(() -> sink.received() >= events, start, 5);
        return until(() -> count(BenchDatabase.DELIVERED) == events, start, 10);
    }

    /**
     * The same for the route's events; a {@code log} route sends nothing to the sink: only the database
     * can say. Every delivery exists once its event is dispatched (one transaction), so none open means
     * all ended; the count says delivered.
     */
    private Duration delivered(String route, long events, long start) throws Exception {
        return route.contains("log")
                ? until(() -> count(BenchDatabase.ANY_OPEN_DELIVERY) == 0 && count(BenchDatabase.DELIVERED) == events, start, 10)
                : delivered(events, start);
    }

    private interface Check {
        boolean done() throws Exception;
    }

    /**
     * Polls the database every 100 ms: a count of 100,000 deliveries costs the server milliseconds, and
     * polling it faster would take a measurable share of the CPU the relay is measured on.
     */
    private static Duration until(Check check, long start) throws Exception {
        return until(check, start, 100);
    }

    private static Duration until(Check check, long start, long pollMs) throws Exception {
        while (!check.done()) {
            Thread.sleep(pollMs);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private long count(String sql) throws SQLException {
        return database.count(sql);
    }

    /** Keeps a figure for the table, and prints it at once: a long run shows its progress. */
    private void record(String measure, String figure) {
        results.put(measure, figure);
        System.out.println(measure + ": " + figure);
    }

    private void print(int events) throws IOException {
        System.out.printf(Locale.ROOT, "%n| measure | figure (events/s unless said) |%n|---|---|%n");
        results.forEach((k, v) -> System.out.printf("| %s | %s |%n", k, v));
        System.out.printf("%nthe targets, scored from the rows above:%n%n%s", scorecard.table());
        if (Files.size(output) > 0) {
            System.out.printf("the services logged %d lines (WARN and above): %s%n", Files.readAllLines(output).size(), output);
        }
    }

    /** The floor: one transaction per batch of 500, nothing but the claim and the mark. */
    private Duration rawClaimAndMark() throws SQLException {
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

    /** The raw loop, timed after an untimed run of its own, as the relay is timed once warm ({@link #warm}). */
    private static Duration rawHttp(String url, int events) throws Exception {
        HttpClient client = Http11.client();
        RawSend send = () -> client.send(HttpRequest.newBuilder(URI.create(url))
                .POST(HttpRequest.BodyPublishers.ofString(RAW_BODY)).build(), HttpResponse.BodyHandlers.discarding());
        return warmThenTimed(send, events);
    }

    /** The same loop with the client the relay sends with (Apache HttpClient 5, blocking), its connections pooled alike. */
    private static Duration rawApacheHttp(String url, int events) throws Exception {
        try (CloseableHttpClient client = HttpClients.custom().setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnTotal(WORKERS).setMaxConnPerRoute(WORKERS).build()).disableAutomaticRetries().build()) {
            RawSend send = () -> {
                HttpPost post = new HttpPost(url);
                post.setEntity(new StringEntity(RAW_BODY, ContentType.APPLICATION_JSON));
                client.execute(post, response -> {
                    EntityUtils.consume(response.getEntity());
                    return null;
                });
            };
            return warmThenTimed(send, events);
        }
    }

    /** An untimed run of the loop, then the timed one. */
    private static Duration warmThenTimed(RawSend send, int events) throws Exception {
        rawLoop(send, Math.min(events, 10_000));
        return rawLoop(send, events);
    }

    /** One request of a raw loop. */
    private interface RawSend {
        void send() throws IOException, InterruptedException;
    }

    private static Duration rawLoop(RawSend send, int events) throws Exception {
        AtomicLong next = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
        long start = System.nanoTime();
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int t = 0; t < WORKERS; t++) {
            all.add(CompletableFuture.runAsync(() -> {
                try {
                    while (next.getAndIncrement() < events) {
                        sendRetrying(send);
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
    private static void sendRetrying(RawSend send) throws InterruptedException {
        while (true) {
            try {
                send.send();
                return;
            } catch (IOException e) {
                // retried
            }
        }
    }

    private static String count(int n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** A figure the targets are scored on ({@link Scorecard}), and its row's text. */
    private String score(Scorecard.Figure figure, int events, Duration took) {
        scorecard.put(figure, eventsPerSecond(events, took));
        return rate(events, took);
    }

    private static String rate(int events, Duration took) {
        return perSecond(events, took) + String.format(Locale.ROOT, " (%.1f s)", took.toNanos() / 1e9);
    }

    /** The median of rounds that each took {@code events} events, then the slowest and the fastest. */
    private static String median(int events, List<Duration> rounds) {
        List<Duration> sorted = rounds.stream().sorted().toList();
        return rate(events, middle(rounds)) + " (" + perSecond(events, sorted.get(sorted.size() - 1))
                + " to " + perSecond(events, sorted.get(0)) + ")";
    }

    /** The median round (the upper of the two middle ones of an even count). */
    private static Duration middle(List<Duration> rounds) {
        return rounds.stream().sorted().toList().get(rounds.size() / 2);
    }

    private static String perSecond(int events, Duration took) {
        return String.format(Locale.ROOT, "%,.0f", eventsPerSecond(events, took));
    }

    private static double eventsPerSecond(int events, Duration took) {
        return events / (took.toNanos() / 1e9);
    }
}
