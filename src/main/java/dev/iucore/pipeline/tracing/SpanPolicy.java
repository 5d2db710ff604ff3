package dev.iucore.pipeline.tracing;

import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.spi.Policy;

/**
 * A span around the steps of a YAML {@code policy}, one per exchange: with tracing off the steps
 * run alone, unwrapped, so a relay without an exporter pays nothing per exchange.
 */
public abstract class SpanPolicy implements Policy {

    protected final Tracing tracing;

    protected SpanPolicy(Tracing tracing) {
        this.tracing = tracing;
    }

    @Override
    public final void beforeWrap(Route route, NamedNode definition) {
        // nothing to prepare: every exchange has a span of its own
    }

    @Override
    public final Processor wrap(Route route, Processor steps) {
        return tracing.on() ? traced(route, steps) : steps;
    }

    /** The steps inside a span, for tracing on. */
    protected abstract Processor traced(Route route, Processor steps);
}
