package dev.iucore.pipeline.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The relay's heap with a large backlog (DESIGN §12), never a test: {@code iu-core run} in its own
 * JVM (the systemd unit's heap unless JVM options are given) on the durable embedded PostgreSQL, one
 * {@code log} route, log level WARN. Its heap is sampled from outside every 250 ms: first idle on
 * an empty outbox, then while it works through a backlog of N pending events seeded in one
 * statement, for a fixed time or to the end. Each phase ends with a full collection in the
 * service's JVM, so its live heap is measured as well as its peaks. The claim: memory follows the
 * batch sizes (500 events a dispatch, 100 deliveries a claim), not the backlog.
 *
 * <pre>mvn -B -q test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.iucore.pipeline.bench.MemoryBenchmark -Dexec.args="1000000 120"</pre>
 * arguments: backlog events (default 1,000,000), seconds of work (default 120), then any JVM
 * options for the service, after the unit's (e.g. {@code -Xmx256m}).
 */
public final class MemoryBenchmark {

    static final String TYPE = "bench.memory";
    static final String ROUTE = "bench-log";
    private static final Duration SAMPLE_EVERY = Duration.ofMillis(250);
    private static final Duration IDLE = Duration.ofSeconds(15);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);

    private MemoryBenchmark() {
    }

    public static void main(String[] args) {
        BenchMain.run(args, MemoryBenchmark::run);
    }

    private static void run(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Duration work = Duration.ofSeconds(args.length > 1 ? Integer.parseInt(args[1]) : 120);
        List<String> jvmOptions = args.length > 2 ? Arrays.asList(args).subList(2, args.length) : List.of();
        Path output = Files.createTempFile("iu-core-bench-service", ".log");
        try (BenchDatabase database = BenchDatabase.start()) {
            System.out.println(database.machine());
            database.typeWithRoutes(TYPE, Map.of(ROUTE, "log:bench"));
            database.openGates(ROUTE);
            try (ServiceProcess service = ServiceProcess.start(database, jvmOptions, output);
                 HeapSampler heap = HeapSampler.attach(service.pid(), SAMPLE_EVERY)) {
                System.out.printf(Locale.ROOT, "service: iu-core run, pid %d, JVM options %s, %d MiB max heap%n",
                        service.pid(), String.join(" ", service.jvmOptions()),
                        mib(heap.maxHeap()));

                heap.window();
                Thread.sleep(IDLE.toMillis());
                print("idle, empty outbox, " + IDLE.toSeconds() + " s", heap.window(), heap.usedAfterFullGc());

                long seedStart = System.nanoTime();
                database.backlog(TYPE, events);
                System.out.printf(Locale.ROOT, "seeded %,d pending events in one statement in %.1f s%n",
                        events, (System.nanoTime() - seedStart) / 1e9);
                heap.window();
                Progress progress = work(database, heap, events, work);
                System.out.printf(Locale.ROOT, "in %.1f s: %,d events dispatched (%,.0f/s), %,d deliveries delivered (%,.0f/s), %,d events still pending%n",
                        progress.seconds, progress.dispatched, progress.dispatched / progress.seconds,
                        progress.delivered, progress.delivered / progress.seconds, events - progress.dispatched);
                print(String.format(Locale.ROOT, "backlog of %,d, %.0f s", events, progress.seconds), heap.window(),
                        heap.usedAfterFullGc());
            }
        }
        // at WARN the service says nothing unless something went wrong: then its words are kept
        if (Files.size(output) == 0) {
            Files.delete(output);
        } else {
            System.out.printf("the service logged %d lines (WARN and above): %s%n", Files.readAllLines(output).size(), output);
        }
    }

    private record Progress(double seconds, long dispatched, long delivered) {
    }

    /** Lets the service work for {@code work} or until every event is delivered, printing progress. */
    private static Progress work(BenchDatabase database, HeapSampler heap, int events, Duration work) throws Exception {
        long start = System.nanoTime();
        long deadline = start + work.toNanos();
        long nextPrint = start + PROGRESS_EVERY.toNanos();
        while (true) {
            long now = System.nanoTime();
            boolean done = now >= deadline;
            if (done || now >= nextPrint) {
                long dispatched = events - database.count(BenchDatabase.PENDING);
                long delivered = database.count(BenchDatabase.DELIVERED);
                double seconds = (System.nanoTime() - start) / 1e9;
                if (done || delivered == events) {
                    return new Progress(seconds, dispatched, delivered);
                }
                System.out.printf(Locale.ROOT, "  %5.0f s: %,9d dispatched, %,9d delivered, heap used %,d MiB, RSS %,d MiB%n",
                        seconds, dispatched, delivered, mib(heap.usedNow()), mib(heap.rssNow()));
                nextPrint += PROGRESS_EVERY.toNanos();
            }
            Thread.sleep(250);
        }
    }

    private static void print(String phase, HeapSampler.Window window, long afterGc) {
        System.out.printf(Locale.ROOT, "%s: heap used peak %,d MiB (committed peak %,d MiB; %d samples), "
                        + "%d collections taking %,d ms; after System.gc() %,d MiB; RSS peak %,d MiB%n",
                phase, mib(window.peakUsed()), mib(window.peakCommitted()), window.samples(), window.collections(),
                window.collectionMillis(), mib(afterGc), mib(window.peakRss()));
    }

    private static long mib(long bytes) {
        return bytes >> 20;
    }
}
