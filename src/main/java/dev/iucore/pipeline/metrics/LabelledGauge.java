package dev.iucore.pipeline.metrics;

import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A gauge with one row per label set (a gate, a retention target, an event type) whose rows keep
 * their meters from one refresh to the next: only a row's value moves. Registering new values with
 * {@code overwrite} removes and adds every meter, and a scrape in between finds the rows missing.
 * A row no longer read is removed.
 */
final class LabelledGauge {

    private final MultiGauge gauge;
    /** Each row's value, as the bits of a double. */
    private final Map<Tags, AtomicLong> values = new ConcurrentHashMap<>();

    LabelledGauge(MultiGauge gauge) {
        this.gauge = gauge;
    }

    void set(Map<Tags, Double> rows) {
        rows.forEach((tags, value) -> values.computeIfAbsent(tags, t -> new AtomicLong()).set(Double.doubleToLongBits(value)));
        values.keySet().retainAll(rows.keySet());
        List<MultiGauge.Row<?>> registered = rows.keySet().stream()
                .<MultiGauge.Row<?>>map(tags -> MultiGauge.Row.of(tags, values.get(tags), bits -> Double.longBitsToDouble(bits.get())))
                .toList();
        gauge.register(registered, false);
    }
}
