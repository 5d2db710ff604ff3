package dev.iucore.pipeline.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A refresh moves the rows' values and keeps their meters: a scrape meanwhile never finds a row missing. */
class LabelledGaugeTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final LabelledGauge gates = new LabelledGauge(MultiGauge.builder("iu.gate.open").register(registry));

    @Test
    void aRefreshMovesTheValueOfTheSameMeter() {
        gates.set(Map.of(Tags.of("gate", "delivery_enabled"), 0.0, Tags.of("gate", "sql_routes_enabled"), 1.0));
        Gauge before = registry.get("iu.gate.open").tag("gate", "delivery_enabled").gauge();
        assertThat(before.value()).isZero();

        gates.set(Map.of(Tags.of("gate", "delivery_enabled"), 1.0, Tags.of("gate", "sql_routes_enabled"), 1.0));
        Gauge after = registry.get("iu.gate.open").tag("gate", "delivery_enabled").gauge();
        assertThat(after).as("never removed and registered again").isSameAs(before);
        assertThat(after.value()).isEqualTo(1.0);
    }

    @Test
    void aRowNoLongerReadIsRemovedAndANewOneAdded() {
        gates.set(Map.of(Tags.of("gate", "a"), 1.0));
        gates.set(Map.of(Tags.of("gate", "b"), 0.0));
        assertThat(registry.find("iu.gate.open").gauges()).extracting(g -> g.getId().getTag("gate")).containsExactly("b");
    }
}
