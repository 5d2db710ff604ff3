package dev.iucore.pipeline.service;

import dev.iucore.pipeline.config.NodeId;
import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.config.Settings;
import dev.iucore.pipeline.delivery.DeliveryAttemptSpan;
import dev.iucore.pipeline.delivery.DeliveryClaimer;
import dev.iucore.pipeline.delivery.DeliveryRecorder;
import dev.iucore.pipeline.delivery.DeliveryTargets;
import dev.iucore.pipeline.delivery.KafkaTarget;
import dev.iucore.pipeline.delivery.LogSender;
import dev.iucore.pipeline.delivery.RejectedTarget;
import dev.iucore.pipeline.delivery.RouteWindows;
import dev.iucore.pipeline.delivery.SqlActionRunner;
import dev.iucore.pipeline.delivery.TargetAddressGuard;
import dev.iucore.pipeline.delivery.WebhookSender;
import dev.iucore.pipeline.kafka.KafkaClusters;
import dev.iucore.pipeline.kafka.KafkaProducers;
import dev.iucore.pipeline.metrics.PipelineMetrics;
import dev.iucore.pipeline.outbox.DispatchComponents;
import dev.iucore.pipeline.outbox.OutboxWakeup;
import dev.iucore.pipeline.tracing.Tracing;
import java.sql.SQLException;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.component.seda.SedaEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Binds the named pieces the relay's YAML routes call, configured from our settings. */
final class RelayComponents {

    private static final Logger LOG = LoggerFactory.getLogger(RelayComponents.class);

    private final Optional<OutboxWakeup> wakeup;
    private final DeliveryClaimer deliveryClaimer;
    private final DeliveryRecorder deliveryRecorder;
    private final KafkaProducers kafkaProducers;
    private final WebhookSender webhookSender;
    private final int poolSize;
    private final int dispatchers;

    private RelayComponents(Optional<OutboxWakeup> wakeup, DeliveryClaimer deliveryClaimer, DeliveryRecorder deliveryRecorder,
                            KafkaProducers kafkaProducers, WebhookSender webhookSender, int poolSize, int dispatchers) {
        this.wakeup = wakeup;
        this.deliveryClaimer = deliveryClaimer;
        this.deliveryRecorder = deliveryRecorder;
        this.kafkaProducers = kafkaProducers;
        this.webhookSender = webhookSender;
        this.poolSize = poolSize;
        this.dispatchers = dispatchers;
    }

    static RelayComponents bind(BiConsumer<String, Object> bind, Supplier<CamelContext> context, Settings settings,
                                DataSource dataSource, PipelineMetrics metrics, Tracing tracing) {
        String node = NodeId.of(settings);
        // the clusters are checked now: a setting that cannot work stops the start, naming its key
        KafkaProducers kafkaProducers = new KafkaProducers(KafkaClusters.from(settings, System::getenv),
                settings.getInt(Setting.KAFKA_DELIVERY_TIMEOUT_MS), System::getenv);
        DeliveryClaimer deliveryClaimer = new DeliveryClaimer(dataSource, node, settings.getInt(Setting.DELIVERY_BATCH_SIZE),
                settings.getInt(Setting.DELIVERY_BATCH_BYTES), new RouteWindows(settings.getInt(Setting.DELIVERY_ROUTE_CONCURRENCY),
                        settings.getInt(Setting.DELIVERY_ROUTE_CONCURRENCY_MAX), settings.getInt(Setting.DELIVERY_SLOW_TRY_MS)),
                settings.getInt(Setting.DELIVERY_LEASE_MS), kafkaProducers.sendBound().toMillis(),
                () -> deliveryWorkers(context.get()), metrics);
        bind.accept("deliveryClaimer", deliveryClaimer);
        DispatchComponents.bind(bind, dataSource, metrics, settings.getInt(Setting.RELAY_BATCH_SIZE),
                settings.getInt(Setting.RELAY_DISPATCHERS), tracing, deliveryClaimer);
        bind.accept("deliveryTargets", new DeliveryTargets());
        bind.accept("deliveryAttemptSpan", new DeliveryAttemptSpan(tracing));
        WebhookSender webhookSender = new WebhookSender(System::getenv,
                TargetAddressGuard.allowing(settings.get(Setting.DELIVERY_ALLOWED_NETWORKS)));
        bind.accept("webhookSender", webhookSender);
        bind.accept("logSender", new LogSender());
        bind.accept("kafkaTarget", new KafkaTarget(kafkaProducers));
        bind.accept("sqlActionRunner", new SqlActionRunner(dataSource));
        bind.accept("rejectedTarget", new RejectedTarget());
        DeliveryRecorder deliveryRecorder = new DeliveryRecorder(dataSource, node, metrics);
        bind.accept("deliveryRecorder", deliveryRecorder);
        return new RelayComponents(settings.getBoolean(Setting.RELAY_LISTEN)
                ? Optional.of(new OutboxWakeup(dataSource)) : Optional.empty(), deliveryClaimer, deliveryRecorder, kafkaProducers,
                webhookSender, settings.getInt(Setting.DB_POOL_SIZE), settings.getInt(Setting.RELAY_DISPATCHERS));
    }

    /**
     * The workers of the delivery-attempt route, as it runs: its seda consumers
     * ({@code iu.delivery.workers} is read there alone, so an edited route cannot split the claimer
     * from its workers); none while that route is not running.
     */
    private static int deliveryWorkers(CamelContext context) {
        Route route = context.getRoute("delivery-attempt");
        return route != null && route.getEndpoint() instanceof SedaEndpoint seda ? seda.getConcurrentConsumers() : 0;
    }

    /** Once the routes run: LISTEN/NOTIFY starts waking the dispatcher; a pool too small for them is said once. */
    void started(CamelContext context) {
        // the workers as the delivery-attempt route runs them; an SQL-action try holds a connection, as
        // each dispatch batch does, and the claim, the recorder and the delayed lane hold one each
        int workers = deliveryWorkers(context);
        int needed = workers + dispatchers + 3;
        if (poolSize < needed) {
            LOG.warn("iu.db.pool-size {} is below the {} connections the relay can hold at once (iu.delivery.workers {} + "
                    + "iu.relay.dispatchers {} + 3): tries and batches will wait for a connection", poolSize, needed,
                    workers, dispatchers);
        }
        wakeup.ifPresent(service -> {
            service.setCamelContext(context);
            try {
                context.addService(service, true, true);
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the outbox listener: " + e.getMessage(), e);
            }
        });
    }

    /** Once the routes stopped: leases of deliveries claimed but never started go back at once. */
    void stopped() {
        try {
            deliveryRecorder.shutdownCommitter();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            int released = deliveryClaimer.releaseUnfinished();
            if (released > 0) {
                LOG.info("released the leases of {} claimed deliveries that were not started", released);
            }
        } catch (SQLException e) {
            LOG.warn("could not release unstarted deliveries (their leases expire instead): {}", e.getMessage());
        }
        kafkaProducers.close();
        webhookSender.close();
    }
}
