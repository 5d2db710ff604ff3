package dev.iucore.pipeline.outbox;

import dev.iucore.pipeline.delivery.DeliveryHandOff;
import dev.iucore.pipeline.metrics.PipelineMetrics;
import dev.iucore.pipeline.relay.RelayGateReader;
import dev.iucore.pipeline.relay.RelayTransactionPolicy;
import dev.iucore.pipeline.tracing.Tracing;
import java.util.function.BiConsumer;
import javax.sql.DataSource;

/**
 * The named beans {@code routes/outbox-dispatch.yaml} calls, bound into whatever registry runs
 * that route: the service's, or the boundary probe's short-lived context.
 */
public final class DispatchComponents {

    private DispatchComponents() {
    }

    /** Without workers (the boundary probe's): every delivery is created for a claim to lease, one batch at a time. */
    public static void bind(BiConsumer<String, Object> registry, DataSource dataSource, PipelineMetrics metrics,
                            int batchSize) {
        bind(registry, dataSource, metrics, batchSize, 1, Tracing.off(), DeliveryHandOff.NONE);
    }

    /**
     * @param dispatchers batches at once while a backlog drains ({@link BacklogDispatchers})
     * @param workers     this process's delivery workers, for the deliveries a batch creates ({@link RouteResolver})
     */
    public static void bind(BiConsumer<String, Object> registry, DataSource dataSource, PipelineMetrics metrics,
                            int batchSize, int dispatchers, Tracing tracing, DeliveryHandOff workers) {
        registry.accept("backlogDispatchers", new BacklogDispatchers(dispatchers));
        registry.accept("dispatchBatchSpan", new DispatchBatchSpan(tracing));
        registry.accept("relayTransaction", new RelayTransactionPolicy(dataSource));
        registry.accept("relayGateReader", new RelayGateReader());
        registry.accept("outboxClaimer", new OutboxClaimer(batchSize));
        registry.accept("dispatchPlanner", new DispatchPlanner(metrics));
        registry.accept("outboxMarker", new OutboxMarker());
        registry.accept("routeResolver", new RouteResolver(workers));
    }
}
