package dev.iucore.pipeline.delivery;

import dev.iucore.pipeline.metrics.PipelineMetrics.DeliveryOutcome;
import dev.iucore.pipeline.tracing.SpanPolicy;
import dev.iucore.pipeline.tracing.Tracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.support.AsyncProcessorConverterHelper;
import org.apache.camel.support.AsyncCallbackToCompletableFutureAdapter;
import org.apache.camel.support.AsyncProcessorHelper;

/**
 * One span per delivery attempt, {@code iu.delivery.attempt}, used as {@code policy: ref: deliveryAttemptSpan}
 * around the try and its record. Its parent is the producer's context (the {@code traceparent} of the
 * event's headers), so every attempt of an event, retries included, lands in the producer's trace;
 * an event without one starts a trace per attempt, found by {@code iu.event_id}. The headers sent
 * then carry this span's context in place of the producer's, so the receiver's spans hang below the
 * attempt that reached them. Off: the steps alone, and the producer's headers go out as written.
 */
public final class DeliveryAttemptSpan extends SpanPolicy {

    static final String NAME = "iu.delivery.attempt";
    static final AttributeKey<String> EVENT_ID = AttributeKey.stringKey("iu.event_id");
    static final AttributeKey<String> EVENT_TYPE = AttributeKey.stringKey("iu.event_type");
    static final AttributeKey<String> ROUTE_KEY = AttributeKey.stringKey("iu.route_key");
    static final AttributeKey<Long> DELIVERY_ID = AttributeKey.longKey("iu.delivery_id");
    static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("iu.delivery.attempt");
    static final AttributeKey<String> TARGET = AttributeKey.stringKey("iu.delivery.target");
    /** How the try ended: delivered, failed, timeout, permanent_failure, rejected; not_tried (route removed). */
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("iu.delivery.outcome");
    /** What the delivery became once recorded: delivered, retrying, dead; not_recorded when it was not. */
    static final AttributeKey<String> STATUS = AttributeKey.stringKey("iu.delivery.status");
    static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

    public DeliveryAttemptSpan(Tracing tracing) {
        super(tracing);
    }

    @Override
    protected Processor traced(Route route, Processor steps) {
        return new Traced(AsyncProcessorConverterHelper.convert(steps));
    }

    /**
     * Asynchronous like the steps it wraps: the recorder continues them on its committer's thread,
     * and the span ends there, once the record committed. Not a {@link org.apache.camel.Service}, so
     * Camel wraps it and manages the steps' lifecycle as for any policy.
     */
    private final class Traced implements AsyncProcessor {

        private final AsyncProcessor steps;

        Traced(AsyncProcessor steps) {
            this.steps = steps;
        }

        @Override
        public void process(Exchange exchange) throws Exception {
            AsyncProcessorHelper.process(this, exchange);
        }

        @Override
        public CompletableFuture<Exchange> processAsync(Exchange exchange) {
            AsyncCallbackToCompletableFutureAdapter<Exchange> callback = new AsyncCallbackToCompletableFutureAdapter<>(exchange);
            process(exchange, callback);
            return callback.getFuture();
        }

        @Override
        public boolean process(Exchange exchange, AsyncCallback callback) {
            if (!(exchange.getMessage().getBody() instanceof DeliveryAttempt attempt)) {
                return steps.process(exchange, callback);
            }
            DeliveryTask task = attempt.getTask();
            String target = exchange.getMessage().getHeader(DeliveryAttempt.TARGET, String.class);
            Span span = tracing.tracer().spanBuilder(NAME).setParent(Tracing.extract(task.forwardedHeaders()))
                    .setSpanKind(kind(target))
                    .setAttribute(EVENT_ID, task.eventId().toString())
                    .setAttribute(EVENT_TYPE, task.eventType())
                    .setAttribute(ROUTE_KEY, task.routeKey())
                    .setAttribute(DELIVERY_ID, task.deliveryId())
                    .setAttribute(ATTEMPT, task.attemptsSoFar() + 1L)
                    .setAttribute(TARGET, target)
                    .startSpan();
            DeliveryAttempt traced = attempt.sending(Tracing.withTraceContextOf(span, task.forwardedHeaders()));
            exchange.getMessage().setBody(traced);
            try (Scope ignored = span.makeCurrent()) {
                return steps.process(exchange, doneSync -> {
                    if (exchange.getException() != null) {
                        span.recordException(exchange.getException());
                    }
                    describe(span, traced, exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class));
                    span.end();
                    callback.done(doneSync);
                });
            }
        }
    }

    private static SpanKind kind(String target) {
        return switch (target == null ? "" : target) {
            case "http" -> SpanKind.CLIENT;
            case "kafka" -> SpanKind.PRODUCER;
            default -> SpanKind.INTERNAL;
        };
    }

    /** The try's outcome and what it was recorded as; an error status for anything but a delivery recorded. */
    private static void describe(Span span, DeliveryAttempt attempt, Throwable notRecorded) {
        AttemptResult result = attempt.resultOrNull();
        DeliveryOutcome recorded = attempt.recordedOrNull();
        span.setAttribute(OUTCOME, result == null ? "not_tried" : result.outcome().sqlName());
        span.setAttribute(STATUS, recorded == null ? "not_recorded" : recorded.name().toLowerCase(Locale.ROOT));
        if (result != null && result.httpStatus() != null) {
            span.setAttribute(HTTP_STATUS, result.httpStatus().longValue());
        }
        if (result != null && result.errorClass() != null) {
            span.setAttribute(ERROR_TYPE, result.errorClass());
        }
        if (notRecorded != null) {
            span.recordException(notRecorded);
        }
        if (recorded == null) {
            span.setStatus(StatusCode.ERROR, "not recorded: its lease expires and it is tried again");
        } else if (result == null || !result.delivered()) {
            span.setStatus(StatusCode.ERROR, result == null ? "not tried: " + recorded.name().toLowerCase(Locale.ROOT)
                    : result.outcome().sqlName() + (result.errorText() == null ? "" : ": " + result.errorText()));
        }
    }
}
