package dev.iucore.pipeline.service;

import dev.iucore.pipeline.config.NodeId;
import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.config.Settings;
import dev.iucore.pipeline.delivery.DeadLetterRecorder;
import dev.iucore.pipeline.delivery.DeliveryClaimer;
import dev.iucore.pipeline.delivery.DeliveryRecorder;
import dev.iucore.pipeline.delivery.DeliveryTargets;
import dev.iucore.pipeline.delivery.KafkaTarget;
import dev.iucore.pipeline.delivery.LogSender;
import dev.iucore.pipeline.delivery.RouteResolver;
import dev.iucore.pipeline.delivery.SqlActionRunner;
import dev.iucore.pipeline.delivery.WebhookSender;
import dev.iucore.pipeline.outbox.OutboxClaimer;
import dev.iucore.pipeline.outbox.OutboxMarker;
import dev.iucore.pipeline.outbox.OutboxWakeup;
import dev.iucore.pipeline.outbox.RelayGateReader;
import dev.iucore.pipeline.outbox.RelayTransaction;
import java.util.Optional;
import javax.sql.DataSource;
import org.apache.camel.main.Main;

/** Binds the named pieces the relay's YAML routes call, configured from our settings. */
final class RelayComponents {

    private RelayComponents() {
    }

    /** @return the LISTEN/NOTIFY wake-up to start with the context, unless switched off */
    static Optional<OutboxWakeup> bind(Main main, Settings settings, DataSource dataSource) {
        String node = NodeId.of(settings);
        main.bind("relayTransaction", new RelayTransaction(dataSource));
        main.bind("relayGateReader", new RelayGateReader());
        main.bind("outboxClaimer", new OutboxClaimer(node, settings.getInt(Setting.RELAY_BATCH_SIZE),
                settings.getInt(Setting.RELAY_LEASE_MS)));
        main.bind("outboxMarker", new OutboxMarker());
        main.bind("deadLetterRecorder", new DeadLetterRecorder());
        main.bind("routeResolver", new RouteResolver());

        DeliveryRecorder recorder = new DeliveryRecorder(dataSource, node);
        main.bind("deliveryClaimer", new DeliveryClaimer(dataSource, node, settings.getInt(Setting.DELIVERY_BATCH_SIZE),
                settings.getInt(Setting.DELIVERY_ROUTE_CONCURRENCY), settings.getInt(Setting.DELIVERY_LEASE_MS),
                settings.getInt(Setting.DELIVERY_WORKERS)));
        main.bind("deliveryTargets", new DeliveryTargets());
        main.bind("webhookSender", new WebhookSender(System::getenv));
        main.bind("logSender", new LogSender());
        main.bind("kafkaTarget", new KafkaTarget());
        main.bind("deliveryRecorder", recorder);
        main.bind("sqlActionRunner", new SqlActionRunner(dataSource, recorder));
        return settings.getBoolean(Setting.RELAY_LISTEN) ? Optional.of(new OutboxWakeup(dataSource)) : Optional.empty();
    }
}
