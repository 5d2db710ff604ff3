package dev.iucore.pipeline.metrics;

import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.routepolicy.MicrometerRoutePolicyFactory;

/**
 * Camel's route statistics ({@code camel_exchanges_*}, {@code camel_route_policy_seconds_*}) for every
 * route but the ones an exchange enters once per delivery or per wake-up. There Camel's route policy
 * formats a string and sets and removes an exchange property at each entry and exit: 13 % of the
 * service's CPU on a log route (2026-12-04, BENCHMARKS.md). What those routes do is counted by our own
 * {@code iu_deliveries_total} and {@code iu_delivery_latency}; the dashboard reads Camel's statistics
 * of the batch and schedule routes only, and those stay. camel-main has no key for the policy's
 * exclude pattern, so it is set on the factory camel-main made, before any route starts.
 */
public final class PerDeliveryRoutes {

    /** Route ids (delivery.yaml, outbox-dispatch.yaml) without Camel's route statistics. */
    public static final List<String> IDS = List.of("delivery-start", "delivery-attempt", "delivery-wake", "outbox-wake");

    private PerDeliveryRoutes() {
    }

    /** Excludes {@link #IDS} from Camel's route policy metrics; nothing to do when they are off. */
    public static void withoutCamelRouteStatistics(CamelContext context) {
        context.getRoutePolicyFactories().stream()
                .filter(MicrometerRoutePolicyFactory.class::isInstance).map(MicrometerRoutePolicyFactory.class::cast)
                .forEach(factory -> factory.getPolicyConfiguration().setExcludePattern(String.join(",", IDS)));
    }
}
