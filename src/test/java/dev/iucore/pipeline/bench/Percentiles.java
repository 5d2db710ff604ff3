package dev.iucore.pipeline.bench;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** p50, p90, p99 and max of a set of latencies, by nearest rank: each figure is one measured value. */
record Percentiles(int count, Duration p50, Duration p90, Duration p99, Duration max) {

    static Percentiles of(List<Duration> latencies) {
        if (latencies.isEmpty()) {
            throw new IllegalArgumentException("no latencies measured");
        }
        List<Duration> sorted = latencies.stream().sorted().toList();
        return new Percentiles(sorted.size(), rank(sorted, 50), rank(sorted, 90), rank(sorted, 99),
                sorted.get(sorted.size() - 1));
    }

    private static Duration rank(List<Duration> sorted, int percentile) {
        int rank = (int) Math.ceil(percentile / 100.0 * sorted.size());
        return sorted.get(Math.max(rank, 1) - 1);
    }

    /** {@code | count | p50 | p90 | p99 | max |} in milliseconds. */
    String row() {
        return String.format(Locale.ROOT, "| %,d | %s | %s | %s | %s |", count, ms(p50), ms(p90), ms(p99), ms(max));
    }

    private static String ms(Duration d) {
        return String.format(Locale.ROOT, "%.1f ms", d.toNanos() / 1e6);
    }
}
