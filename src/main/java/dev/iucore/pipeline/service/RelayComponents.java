package dev.iucore.pipeline.service;

import dev.iucore.pipeline.config.NodeId;
import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.config.Settings;
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
import dev.iucore.pipeline.metrics.PipelineMetrics;
import dev.iucore.pipeline.outbox.DispatchComponents;
import dev.iucore.pipeline.outbox.OutboxWakeup;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Binds the named pieces the relay's YAML routes call, configured from our settings. */
final class RelayComponents {

    private static final Logger LOG = LoggerFactory.getLogger(RelayComponents.class);

    private final Optional<OutboxWakeup> wakeup;
    private final DeliveryClaimer deliveryClaimer;

    private RelayComponents(Optional<OutboxWakeup> wakeup, DeliveryClaimer deliveryClaimer) {
        this.wakeup = wakeup;
        this.deliveryClaimer = deliveryClaimer;
    }

    static RelayComponents bind(Main main, Settings settings, DataSource dataSource, PipelineMetrics metrics) {
        String node = NodeId.of(settings);
        DispatchComponents.bind(main::bind, dataSource, metrics, settings.getInt(Setting.RELAY_BATCH_SIZE));

        DeliveryClaimer deliveryClaimer = new DeliveryClaimer(dataSource, node, settings.getInt(Setting.DELIVERY_BATCH_SIZE),
                settings.getInt(Setting.DELIVERY_BATCH_BYTES), new RouteWindows(settings.getInt(Setting.DELIVERY_ROUTE_CONCURRENCY),
                        settings.getInt(Setting.DELIVERY_ROUTE_CONCURRENCY_MAX), settings.getInt(Setting.DELIVERY_SLOW_TRY_MS)),
                settings.getInt(Setting.DELIVERY_LEASE_MS),
                settings.getInt(Setting.DELIVERY_WORKERS));
        main.bind("deliveryClaimer", deliveryClaimer);
        main.bind("deliveryTargets", new DeliveryTargets());
        main.bind("webhookSender", new WebhookSender(System::getenv,
                TargetAddressGuard.allowing(settings.get(Setting.DELIVERY_ALLOWED_NETWORKS))));
        main.bind("logSender", new LogSender());
        main.bind("kafkaTarget", new KafkaTarget(main::getCamelContext));
        main.bind("sqlActionRunner", new SqlActionRunner(dataSource));
        main.bind("rejectedTarget", new RejectedTarget());
        main.bind("deliveryRecorder", new DeliveryRecorder(dataSource, node, metrics));
        return new RelayComponents(settings.getBoolean(Setting.RELAY_LISTEN)
                ? Optional.of(new OutboxWakeup(dataSource)) : Optional.empty(), deliveryClaimer);
    }

    /** Once the routes run: LISTEN/NOTIFY starts waking the dispatcher. */
    void started(CamelContext context) {
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
            int released = deliveryClaimer.releaseUnfinished();
            if (released > 0) {
                LOG.info("released the leases of {} claimed deliveries that were not started", released);
            }
        } catch (SQLException e) {
            LOG.warn("could not release unstarted deliveries (their leases expire instead): {}", e.getMessage());
        }
    }
}
