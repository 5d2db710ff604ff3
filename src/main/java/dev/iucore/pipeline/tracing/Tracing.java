package dev.iucore.pipeline.tracing;

import dev.iucore.pipeline.config.ConfigurationException;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's OpenTelemetry traces. Off unless the standard {@code OTEL_*} variables (or
 * {@code -Dotel.*}) name a traces exporter, {@code OTEL_TRACES_EXPORTER=otlp} for one: then the SDK's
 * autoconfiguration builds it, OTLP over http/protobuf by default. While off, no span is made and
 * the producer's trace headers go out exactly as written; while on, a delivery sends its attempt
 * span's context instead, so the receiver's spans hang below ours, and ours below the producer's.
 * Only W3C Trace Context is read and written: that is what {@code event_outbox.headers} carries.
 */
public final class Tracing implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Tracing.class);
    static final String INSTRUMENTATION = "dev.iucore.pipeline";
    static final String SERVICE_NAME = "iu-core-pipeline";

    /**
     * What the SDK's defaults become here, each overridden by its {@code OTEL_*} variable: nothing is
     * exported unless asked for, and OTLP goes over HTTP (the SDK's default, gRPC, needs OkHttp, which
     * the artifact leaves out: the JDK's HttpClient sends).
     */
    static final Map<String, String> DEFAULTS = Map.of(
            "otel.traces.exporter", "none",
            "otel.metrics.exporter", "none",
            "otel.logs.exporter", "none",
            "otel.exporter.otlp.protocol", "http/protobuf");

    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
    private static final AttributeKey<String> SERVICE = AttributeKey.stringKey("service.name");
    private static final TextMapGetter<Map<String, String>> FROM_MAP = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private final Tracer tracer;
    private final OpenTelemetrySdk sdk;

    private Tracing(Tracer tracer, OpenTelemetrySdk sdk) {
        this.tracer = tracer;
        this.sdk = sdk;
    }

    /** No spans; what a short-lived context (the boundary probe) and a service without OTEL_* use. */
    public static Tracing off() {
        return new Tracing(null, null);
    }

    /** Spans through an SDK the caller built (the tests' in-memory exporter); closing this shuts it down. */
    public static Tracing using(OpenTelemetrySdk sdk) {
        return new Tracing(sdk.getTracer(INSTRUMENTATION), sdk);
    }

    /** As the process's {@code OTEL_*} variables and {@code -Dotel.*} properties say; off by default. */
    public static Tracing fromEnvironment() {
        return configured(Map.of());
    }

    /**
     * As the environment says, {@code properties} taken where it says nothing (between our defaults
     * and the {@code OTEL_*} variables).
     *
     * @throws ConfigurationException when the SDK cannot be built as configured (an unknown exporter, gRPC)
     */
    static Tracing configured(Map<String, String> properties) {
        Map<String, String> defaults = new HashMap<>(DEFAULTS);
        defaults.putAll(properties);
        AtomicBoolean exporting = new AtomicBoolean();
        AtomicReference<String> described = new AtomicReference<>("");
        OpenTelemetrySdk sdk;
        try {
            sdk = AutoConfiguredOpenTelemetrySdk.builder()
                    // this class shuts the SDK down (close, or at once when nothing exports); the SDK's own
                    // JVM hook would shut it down a second time and say so on java.util.logging, a line
                    // outside the JSON log
                    .disableShutdownHook()
                    .addPropertiesSupplier(() -> defaults)
                    .addPropertiesCustomizer(config -> {
                        List<String> exporters = config.getList("otel.traces.exporter", List.of("none"));
                        exporting.set(!config.getBoolean("otel.sdk.disabled", false)
                                && !exporters.isEmpty() && !exporters.equals(List.of("none")));
                        described.set(String.join(",", exporters) + ", sampler "
                                + config.getString("otel.traces.sampler", "parentbased_always_on"));
                        return Map.of();
                    })
                    // service.name as OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES set it, else ours
                    .addResourceCustomizer((resource, config) -> {
                        String name = resource.getAttribute(SERVICE);
                        return name == null || name.startsWith("unknown_service")
                                ? resource.merge(Resource.builder().put(SERVICE, SERVICE_NAME).build()) : resource;
                    })
                    .build().getOpenTelemetrySdk();
        } catch (RuntimeException e) {
            throw new ConfigurationException("tracing cannot start as the OTEL_* variables configure it (OTLP is sent "
                    + "over http/protobuf only: OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf): " + reasons(e));
        }
        if (!exporting.get()) {
            sdk.shutdown();
            return off();
        }
        LOG.info("traces: a span per dispatch batch and delivery attempt, exported by {} (OTEL_* variables)",
                described.get());
        return using(sdk);
    }

    /** The SDK wraps its reason ("Unexpected configuration error"): every distinct message down the chain. */
    private static String reasons(Throwable error) {
        List<String> messages = new ArrayList<>();
        for (Throwable t = error; t != null && messages.size() < 4; t = t.getCause()) {
            if (t.getMessage() != null && !messages.contains(t.getMessage())) {
                messages.add(t.getMessage());
            }
        }
        return messages.isEmpty() ? error.getClass().getSimpleName() : String.join(": ", messages);
    }

    /** Whether spans are made (and so whether deliveries send their own trace context). */
    public boolean on() {
        return tracer != null;
    }

    /** The tracer of the relay's spans; only while {@link #on()}. */
    public Tracer tracer() {
        if (tracer == null) {
            throw new IllegalStateException("tracing is off");
        }
        return tracer;
    }

    /** The producer's trace context in W3C headers ({@code traceparent}, {@code tracestate}); root when none. */
    public static Context extract(Map<String, String> headers) {
        return W3C.extract(Context.root(), headers, FROM_MAP);
    }

    /** The span context of a W3C {@code traceparent} value; invalid when there is none or it is malformed. */
    public static SpanContext spanContextOf(String traceparent) {
        if (traceparent == null) {
            return SpanContext.getInvalid();
        }
        return Span.fromContext(extract(Map.of("traceparent", traceparent))).getSpanContext();
    }

    /**
     * The headers with the trace context replaced by {@code span}'s (first, in W3C's names); the other
     * entries as they were, in their order.
     */
    public static Map<String, String> withTraceContextOf(Span span, Map<String, String> headers) {
        Map<String, String> traced = new LinkedHashMap<>();
        W3C.inject(Context.root().with(span), traced, Map::put);
        headers.forEach((name, value) -> {
            if (!W3C.fields().contains(name)) {
                traced.put(name, value);
            }
        });
        return traced;
    }

    /** Flushes what is not exported yet and stops the exporter; nothing when off. */
    @Override
    public void close() {
        if (sdk != null) {
            sdk.shutdown().join(10, TimeUnit.SECONDS);
        }
    }
}
