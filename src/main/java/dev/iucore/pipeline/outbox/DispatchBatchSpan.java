package dev.iucore.pipeline.outbox;

import dev.iucore.pipeline.tracing.SpanPolicy;
import dev.iucore.pipeline.tracing.Tracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import java.time.Instant;
import java.util.List;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One span per dispatch batch, {@code iu.dispatch.batch}, used as {@code policy: ref: dispatchBatchSpan}
 * around the batch's transaction: from before the claim until the commit or the rollback, for a
 * batch that claimed something or failed (an idle poll makes none). A batch
 * holds events of many traces, so the span starts a trace of its own and links to each producer's
 * context (a {@code traceparent} in the event's headers), as OpenTelemetry's messaging conventions
 * do for a batch; the event ids and the batch's decisions are its attributes. Off: the steps alone.
 */
public final class DispatchBatchSpan extends SpanPolicy {

    private static final Logger LOG = LoggerFactory.getLogger(DispatchBatchSpan.class);

    static final String NAME = "iu.dispatch.batch";
    static final AttributeKey<String> LANE = AttributeKey.stringKey("iu.dispatch.lane");
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("iu.dispatch.outcome");
    static final AttributeKey<List<String>> EVENT_IDS = AttributeKey.stringArrayKey("iu.event_ids");
    static final AttributeKey<String> EVENT_ID = AttributeKey.stringKey("iu.event_id");
    static final AttributeKey<Long> CLAIMED = AttributeKey.longKey("iu.dispatch.claimed");
    static final AttributeKey<Long> DISPATCHED = AttributeKey.longKey("iu.dispatch.dispatched");
    static final AttributeKey<Long> HELD = AttributeKey.longKey("iu.dispatch.held");
    static final AttributeKey<Long> DEAD_LETTERED = AttributeKey.longKey("iu.dispatch.dead_lettered");

    public DispatchBatchSpan(Tracing tracing) {
        super(tracing);
    }

    @Override
    protected Processor traced(Route route, Processor steps) {
        // the delayed lane's batches run the same steps (delayed-lane.yaml)
        String lane = route.getRouteId().startsWith("delayed-lane") ? "delayed" : "live";
        return exchange -> {
            Instant start = Instant.now();
            Throwable failure = null;
            try {
                steps.process(exchange);
                failure = exchange.getException();
            } catch (Exception e) {
                failure = e;
                throw e;
            } finally {
                DispatchBatch batch = exchange.getMessage().getBody() instanceof DispatchBatch claimed
                        && claimed.transaction() != null ? claimed : null;
                // an idle poll claims nothing: no span, or an idle relay would send one every poll interval
                if (failure != null || (batch != null && batch.claimedAny())) {
                    try {
                        record(start, lane, batch, failure);
                    } catch (RuntimeException e) {
                        // the batch committed or not as it did: failing it here would leave what it leased
                        // counted on this process and never handed to the workers (relay-drain.yaml)
                        LOG.warn("the span of a dispatch batch could not be recorded: {}", e.toString());
                    }
                }
            }
        };
    }

    /** The batch's span, made once the batch ended (so an empty one is never made), from its start on. */
    private void record(Instant start, String lane, DispatchBatch batch, Throwable failure) {
        SpanBuilder builder = tracing.tracer().spanBuilder(NAME).setNoParent().setStartTimestamp(start)
                .setAttribute(LANE, lane).setAttribute(OUTCOME, failure == null ? "committed" : "rolled_back");
        if (batch != null) {
            describe(builder, batch);
        }
        Span span = builder.startSpan();
        if (failure != null) {
            span.recordException(failure);
            span.setStatus(StatusCode.ERROR, "rolled back: " + failure.getMessage());
        }
        span.end();
    }

    private static void describe(SpanBuilder span, DispatchBatch batch) {
        DispatchPlan plan = batch.plan();
        span.setAttribute(CLAIMED, (long) batch.events().size());
        span.setAttribute(DISPATCHED, (long) plan.dispatched().size());
        span.setAttribute(HELD, (long) plan.held().size());
        span.setAttribute(DEAD_LETTERED, (long) plan.unregistered().size() + plan.disabled().size());
        span.setAttribute(EVENT_IDS, batch.events().stream().map(event -> event.eventId().toString()).toList());
        for (OutboxEvent event : batch.events()) {
            SpanContext producer = Tracing.spanContextOf(event.traceparent());
            if (producer.isValid()) {
                span.addLink(producer, Attributes.of(EVENT_ID, event.eventId().toString()));
            }
        }
    }
}
