package dev.iucore.pipeline.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Does delivery slow down when more is pending? The relay delivers to a local HTTP sink with default
 * settings from a backlog of 1,000 and then of 100,000 pending events (dispatch creating the
 * deliveries as it goes, as in production), timing windows of 800 deliveries: the 100th to the 900th
 * in both, then two later windows of the large backlog, when tens of thousands of deliveries have
 * been created, claimed and recorded. Side by side in one run; not a test.
 *
 * <pre>mvn -B -q test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.iucore.pipeline.bench.BacklogBenchmark</pre>
 */
public final class BacklogBenchmark {

    /** Tries recorded so far, read in constant time (the sink answers every try with 200). */
    static final String TRIES = "SELECT last_value FROM iu_route_attempt_id_seq";
    private static final int WINDOW = 800;

    private BacklogBenchmark() {
    }

    public static void main(String[] args) {
        BenchMain.run(args, BacklogBenchmark::run);
    }

    private static void run(String[] args) throws Exception {
        Map<String, Double> rates = new LinkedHashMap<>();
        try (BenchDatabase database = BenchDatabase.start(); BenchSink sink = new BenchSink()) {
            System.out.println(database.machine());
            database.typeWithRoutes("bench.http", Map.of("bench-http", sink.url()));
            database.openGates("bench-http");
            for (int pending : List.of(1_000, 100_000)) {
                database.empty();
                database.backlog("bench.http", pending);
                long before = database.count(TRIES);
                try (BenchService service = BenchService.start(database, database.settings(Map.of()))) {
                    for (int from : pending > 20_000 ? List.of(100, 10_000, 20_000) : List.of(100)) {
                        String measure = String.format(Locale.ROOT, "deliveries %,d to %,d of %,d pending events",
                                from, from + WINDOW, pending);
                        rates.put(measure, rate(database, before, from, from + WINDOW));
                        System.out.printf(Locale.ROOT, "%s: %,.0f/s%n", measure, rates.get(measure));
                    }
                }
            }
        }
        System.out.printf("%n| measure (http route, default settings) | deliveries/s |%n|---|---|%n");
        rates.forEach((k, v) -> System.out.printf(Locale.ROOT, "| %s | %,.0f |%n", k, v));
        List<String> measures = new ArrayList<>(rates.keySet());
        for (String measure : measures.subList(1, measures.size())) {
            System.out.printf(Locale.ROOT, "| ratio: %s / the first | %.2f |%n", measure,
                    rates.get(measure) / rates.get(measures.get(0)));
        }
    }

    /** Deliveries per second between the from-th and the to-th try of this run. */
    private static double rate(BenchDatabase database, long before, long from, long to) throws Exception {
        long start = awaitTries(database, before + from);
        long end = awaitTries(database, before + to);
        return (to - from) / (Duration.ofNanos(end - start).toNanos() / 1e9);
    }

    private static long awaitTries(BenchDatabase database, long count) throws Exception {
        while (database.count(TRIES) < count) {
            Thread.sleep(5);
        }
        return System.nanoTime();
    }
}
