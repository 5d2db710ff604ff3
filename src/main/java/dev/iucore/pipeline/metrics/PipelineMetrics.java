package dev.iucore.pipeline.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The service's own Micrometer meters, in Camel's {@link MeterRegistry}, so they are scraped from
 * {@code /observe/metrics} beside Camel's route metrics. Each relay step that knows an outcome makes
 * one call here; the names, tags and meanings are listed once, in the README (Observability).
 * Tags are bounded: registered event types, route keys of the route table, reason codes, outcomes;
 * never an event id or an unregistered type.
 */
public final class PipelineMetrics {

    /** Delivery outcomes as {@code iu_route_delivery.status} records them after a try. */
    public enum DeliveryOutcome {
        DELIVERED, RETRYING, DEAD;

        private final String tag = name().toLowerCase(java.util.Locale.ROOT);

        String tag() {
            return tag;
        }
    }

    /** Latency buckets of a webhook try, so a p99 can be read from the histogram. */
    private static final Duration[] LATENCY_BUCKETS = {
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
        Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

    private static final String OPS_ROUTE_FILES = "iu.ops.route.files";
    private static final String OPS_ROUTE_FILES_DESCRIPTION = "Operator route files checked at start or on a change, applied or rejected";

    private final MeterRegistry registry;
    private final Meter.MeterProvider<Counter> deliveries;
    private final Meter.MeterProvider<Timer> deliveryLatency;
    /**
     * Each route's per-try meters, registered at its first use and then kept: building and registering
     * them per try took a tenth of the recorder's thread (BENCHMARKS.md). Route keys are bounded.
     */
    private final Map<String, Map<DeliveryOutcome, Counter>> triesByRoute = new ConcurrentHashMap<>();
    private final Map<String, Timer> latencyByRoute = new ConcurrentHashMap<>();

    public PipelineMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.deliveries = Counter.builder("iu.deliveries").description("Delivery tries recorded, by route and the state they left")
                .withRegistry(registry);
        this.deliveryLatency = Timer.builder("iu.delivery.latency").description("Duration of one delivery try, by route")
                .serviceLevelObjectives(LATENCY_BUCKETS).withRegistry(registry);
        // at 0 from the start, so an alert on increase() sees the first dead-lettered event and rejected file
        for (String reason : new String[] {"unregistered_type", "type_disabled"}) {
            eventsDeadLettered(reason, 0);
        }
        for (String outcome : new String[] {"applied", "rejected"}) {
            Counter.builder(OPS_ROUTE_FILES).description(OPS_ROUTE_FILES_DESCRIPTION).tag("outcome", outcome).register(registry);
        }
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Events of a registered type a committed dispatch or delayed-lane batch marked {@code dispatched}. */
    public void eventsDispatched(String eventType, int n) {
        Counter.builder("iu.events.dispatched").description("Outbox events dispatched (deliveries created for their routes)")
                .tag("event_type", eventType).register(registry).increment(n);
    }

    /** Events of a delayed-lane type a committed dispatch batch held for the delayed-lane batch. */
    public void eventsHeld(String eventType, int n) {
        Counter.builder("iu.events.held").description("Outbox events held for the delayed lane")
                .tag("event_type", eventType).register(registry).increment(n);
    }

    /** Events a committed dispatch or delayed-lane batch dead-lettered (unregistered_type, type_disabled). */
    public void eventsDeadLettered(String reason, int n) {
        Counter.builder("iu.events.dead.lettered").description("Outbox events dead-lettered at dispatch, by reason")
                .tag("reason", reason).register(registry).increment(n);
    }

    /**
     * Deliveries dispatch did not create because the route was not allowed (route_disabled,
     * not_live, sql_routes_closed), per route and reason: nothing is skipped silently.
     */
    public void deliveriesSkipped(String routeKey, String reason, int n) {
        Counter.builder("iu.deliveries.skipped").description("Deliveries not created at dispatch because the route was not allowed, by route and reason")
                .tag("route", routeKey).tag("reason", reason).register(registry).increment(n);
    }

    /**
     * One recorded try of a delivery (or a delivery settled without one, latency null): counted by
     * route and outcome, its latency timed by route.
     */
    public void delivery(String routeKey, DeliveryOutcome outcome, Long latencyMs) {
        triesByRoute.computeIfAbsent(routeKey, route -> new ConcurrentHashMap<>())
                .computeIfAbsent(outcome, state -> deliveries.withTags("route", routeKey, "outcome", state.tag()))
                .increment();
        if (latencyMs != null) {
            latencyByRoute.computeIfAbsent(routeKey, route -> deliveryLatency.withTags("route", route))
                    .record(latencyMs, TimeUnit.MILLISECONDS);
        }
    }

    /** A delivery handed back untried: its route's window shrank, or its lease ran short, while it waited for a worker, or the workers' queue refused it. */
    public void deliveryHandedBack(String routeKey) {
        Counter.builder("iu.deliveries.handed.back")
                .description("Deliveries handed back untried because their route's window shrank or their lease ran short while they waited, or the workers' queue refused them, by route")
                .tag("route", routeKey).register(registry).increment();
    }

    /**
     * A route this process has leased deliveries of: its deliveries claimed here and not finished,
     * and its window (the most it may have in flight here), both read at each scrape. Per process,
     * not per database: a route whose in-flight count sits at its window while no try is recorded is
     * a stalled route, or a stalled relay.
     */
    public void deliverySlots(String routeKey, Supplier<Number> inFlight, Supplier<Number> window) {
        Gauge.builder("iu.delivery.in.flight", inFlight)
                .description("Deliveries this process claimed and has not finished, by route").tag("route", routeKey)
                .strongReference(true).register(registry);
        Gauge.builder("iu.delivery.window", window)
                .description("Deliveries this process may have in flight at once, by route (its window: slow start, halved on a setback)")
                .tag("route", routeKey).strongReference(true).register(registry);
    }

    /**
     * Collection instances a scaleout batch created, counted once its transaction committed. Only
     * batches run inside the service process show here; a one-shot {@code iu-core scaleout} is its
     * own process and is recorded in {@code iu_command_log} instead.
     */
    public void scaleoutInstancesCreated(long n) {
        // not "…created": Prometheus reserves the _created suffix
        Counter.builder("iu.scaleout.instances").description("Collection instances created by scaleout batches")
                .register(registry).increment(n);
    }

    /** A file of the operator's routes directory, at start or on a change: {@code applied} or {@code rejected}. */
    public void opsRouteFile(String outcome) {
        Counter.builder(OPS_ROUTE_FILES).description(OPS_ROUTE_FILES_DESCRIPTION).tag("outcome", outcome)
                .register(registry).increment();
    }
}
