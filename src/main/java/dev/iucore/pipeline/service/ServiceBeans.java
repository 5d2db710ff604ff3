package dev.iucore.pipeline.service;

import dev.iucore.pipeline.config.NodeId;
import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.config.Settings;
import dev.iucore.pipeline.health.CoreRoutesReadiness;
import dev.iucore.pipeline.health.DatabaseReadiness;
import dev.iucore.pipeline.health.MigrationsReadiness;
import dev.iucore.pipeline.metrics.PipelineMetrics;
import dev.iucore.pipeline.metrics.RelayGauges;
import dev.iucore.pipeline.tracing.Tracing;
import dev.iucore.pipeline.verify.BatchEvidence;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerConstants;

/**
 * Everything the packaged routes call by name, bound in one place: by the service's Camel Main
 * ({@link PipelineService}) and, through the same method, by the relay's acceptance suite on
 * {@code CamelMainTestSupport}, so both run the same wiring.
 */
record ServiceBeans(PrometheusMeterRegistry registry, PipelineMetrics metrics, CoreRoutesReadiness coreRoutes,
                    RelayComponents relay) {

    /**
     * @param scheduler Quartz's own pool (the scheduler role, the only one that writes {@code qrtz_*});
     *        empty: Quartz keeps its schedule in memory
     */
    static ServiceBeans bind(BiConsumer<String, Object> bind, Supplier<CamelContext> context, Settings settings,
                             DataSource dataSource, Optional<DataSource> scheduler) {
        return bind(bind, context, settings, dataSource, scheduler, Tracing.off());
    }

    /** @param tracing the relay's spans (README, Traces) */
    static ServiceBeans bind(BiConsumer<String, Object> bind, Supplier<CamelContext> context, Settings settings,
                             DataSource dataSource, Optional<DataSource> scheduler, Tracing tracing) {
        bind.accept("dataSource", dataSource);
        // the scheduled routes' quartz: clustered JobStore on this database, one firing per trigger across nodes
        bind.accept("quartz", ClusteredQuartz.component(settings, scheduler));
        // Camel's micrometer-prometheus takes the registry bound under this name, so our meters share it
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        bind.accept(MicrometerConstants.METRICS_REGISTRY_NAME, registry);
        PipelineMetrics metrics = new PipelineMetrics(registry);
        bind.accept("pipelineMetrics", metrics);
        bind.accept("relayGauges", new RelayGauges(dataSource, registry));
        // the scheduled batches record their runs as `--evidence` does (no backups: pg_dump is an operator's call)
        bind.accept("batchEvidence", new BatchEvidence(dataSource, null, NodeId.of(settings)));
        // readiness checks, found by Camel's health registry among the bound beans
        bind.accept(DatabaseReadiness.ID, new DatabaseReadiness(dataSource));
        bind.accept(MigrationsReadiness.ID, new MigrationsReadiness(dataSource, settings.get(Setting.DB_USER)));
        CoreRoutesReadiness coreRoutes = new CoreRoutesReadiness();
        bind.accept(CoreRoutesReadiness.ID, coreRoutes);
        RelayComponents relay = RelayComponents.bind(bind, context, settings, dataSource, metrics, tracing);
        return new ServiceBeans(registry, metrics, coreRoutes, relay);
    }
}
