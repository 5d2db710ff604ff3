package dev.iucore.pipeline.bench;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The relay's targets (issue 10, "What to reach"), scored from the figures of the run that prints
 * them: each ratio taken side by side in one run, beside its bound, met or missed. A target whose
 * figures were not all measured (its sections not run) is left out. Nothing here is hand-computed
 * afterwards, so a run's table is the evidence as printed.
 */
final class Scorecard {

    /** A figure a target is scored on: events a second unless its name says otherwise. */
    enum Figure {
        RAW_CLAIM_AND_MARK, TEXTBOOK_DURABLE, LOG_DISPATCH,
        HTTP_DRAIN, RAW_JDK_HTTP, ALONE_SMALL_BACKLOG, ALONE_LARGE_BACKLOG,
        CLOSE_DRAIN, RAW_JDK_CLOSE, CLOSE_FAILED_TRIES,
        LATENCY_P50_MS, LATENCY_P99_MS,
        ONE_PROCESS_SINK, TWO_PROCESSES_SINK, ONE_PROCESS_SLOW, TWO_PROCESSES_SLOW,
        RSS_PEAK_MIB,
        STALL_TIMEOUTS, STALL_TRIES
    }

    private record Row(String target, String measured, String score, String bound, boolean met) {
    }

    private final Map<Figure, Double> figures = new EnumMap<>(Figure.class);

    void put(Figure figure, double value) {
        figures.put(figure, value);
    }

    /** The table, one row per target whose figures this run measured. */
    String table() {
        List<Row> rows = new ArrayList<>();
        ratio(rows, "1. log dispatch / raw claim-and-mark", Figure.LOG_DISPATCH, Figure.RAW_CLAIM_AND_MARK, 0.35);
        ratio(rows, "1. log dispatch / textbook camel-sql, durable commits", Figure.LOG_DISPATCH, Figure.TEXTBOOK_DURABLE, 10);
        ratio(rows, "2. dispatch + delivery, http route, the backlog pending / raw JDK HttpClient loop",
                Figure.HTTP_DRAIN, Figure.RAW_JDK_HTTP, 0.5);
        ratio(rows, "2. delivery alone, the backlog pending / about 1,000 pending",
                Figure.ALONE_LARGE_BACKLOG, Figure.ALONE_SMALL_BACKLOG, 0.9);
        ratio(rows, "3. receiver closing every connection: dispatch + delivery / raw JDK HttpClient loop",
                Figure.CLOSE_DRAIN, Figure.RAW_JDK_CLOSE, 0.5);
        below(rows, "3. tries counted as failed, receiver closing every connection", Figure.CLOSE_FAILED_TRIES, 1, "0");
        below(rows, "4. insert commit to delivered at 1,000/s, p50 (ms)", Figure.LATENCY_P50_MS, 20, "< 20");
        below(rows, "4. insert commit to delivered at 1,000/s, p99 (ms)", Figure.LATENCY_P99_MS, 50, "< 50");
        ratio(rows, "5. two processes / one, local sink", Figure.TWO_PROCESSES_SINK, Figure.ONE_PROCESS_SINK, 1.6);
        ratio(rows, "5. two processes / one, receiver answering after 20 ms", Figure.TWO_PROCESSES_SLOW,
                Figure.ONE_PROCESS_SLOW, 1.6);
        below(rows, "6. RSS draining 1,000,000 events, peak (MiB)", Figure.RSS_PEAK_MIB, 512, "< 512");
        if (figures.containsKey(Figure.STALL_TIMEOUTS) && figures.containsKey(Figure.STALL_TRIES)) {
            double timeouts = figures.get(Figure.STALL_TIMEOUTS);
            double tries = figures.get(Figure.STALL_TRIES);
            rows.add(new Row("7. stalling receiver: tries ended as timeout / all (the test is ReceiverBehaviourTest)",
                    format(timeouts) + " / " + format(tries), "", "all", tries > 0 && timeouts == tries));
        }
        StringBuilder table = new StringBuilder("| target | measured | ratio | bound | |\n|---|---|---|---|---|\n");
        rows.forEach(r -> table.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |%n",
                r.target(), r.measured(), r.score(), r.bound(), r.met() ? "met" : "**missed**")));
        return table.toString();
    }

    private void ratio(List<Row> rows, String target, Figure measured, Figure against, double atLeast) {
        if (figures.containsKey(measured) && figures.containsKey(against)) {
            double ratio = figures.get(measured) / figures.get(against);
            rows.add(new Row(target, format(figures.get(measured)) + " / " + format(figures.get(against)),
                    String.format(Locale.ROOT, "%.2f ×", ratio), "≥ " + format(atLeast) + " ×", ratio >= atLeast));
        }
    }

    /** A figure that must stay below its bound. */
    private void below(List<Row> rows, String target, Figure figure, double bound, String boundText) {
        if (figures.containsKey(figure)) {
            double value = figures.get(figure);
            rows.add(new Row(target, format(value), "", boundText, value < bound));
        }
    }

    private static String format(double value) {
        return Math.abs(value) >= 100 ? String.format(Locale.ROOT, "%,.0f", value)
                : BigDecimal.valueOf(value).setScale(2, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }
}
