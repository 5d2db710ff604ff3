package dev.iucore.pipeline.verify;

import dev.iucore.pipeline.config.CamelPlaceholders;
import dev.iucore.pipeline.config.Settings;
import dev.iucore.pipeline.delivery.DeliveryClaimer;
import dev.iucore.pipeline.delivery.RouteWindows;
import dev.iucore.pipeline.metrics.PipelineMetrics;
import dev.iucore.pipeline.outbox.DispatchComponents;
import dev.iucore.pipeline.relay.RelayTransaction;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

/**
 * The bounded BEGIN/ROLLBACK probe of the field report, through the real relay: in one
 * transaction it inserts one event of the type, runs the packaged dispatch route
 * ({@code outbox-dispatch-batch} from {@code routes/outbox-dispatch.yaml}, joining this
 * transaction) and the real delivery claim on it, counts what appeared for that event in
 * {@code iu_route_delivery}, {@code iu_route_attempt} and {@code iu_route_dead_letter}, and rolls
 * everything back. The delivery pass claims but never sends: a send would be the very leak the
 * probe exists to rule out, and cannot be rolled back.
 */
public final class BoundaryProbe {

    static final String DISPATCH_ROUTES = "classpath:routes/outbox-dispatch.yaml";
    static final String BATCH_ROUTE = "outbox-dispatch-batch";
    /** The flow the batch hands its claimed events to. */
    static final String CLAIMED_ROUTE = "dispatch-claimed";

    // available_at -infinity: the probe event is first in the dispatcher's claim whatever the backlog
    static final String INSERT_PROBE = """
            INSERT INTO event_outbox (event_id, event_type, aggregate_type, aggregate_id, payload, actor, available_at)
            VALUES (?, ?, 'boundary-probe', 'boundary-probe', '{"probe": true}', 'iu-core verify boundary', '-infinity')""";
    static final String DELTAS = """
            SELECT (SELECT status FROM event_outbox WHERE event_id = ?),
                   (SELECT count(*) FROM iu_route_delivery WHERE event_id = ?),
                   (SELECT count(*) FROM iu_route_attempt a JOIN iu_route_delivery d ON d.id = a.delivery_id
                     WHERE d.event_id = ?),
                   (SELECT count(*) FROM iu_route_dead_letter WHERE event_id = ?)""";
    static final String TRACE = "SELECT count(*) FROM event_outbox WHERE event_id = ?";

    private final DataSource dataSource;
    private final Settings settings;

    public BoundaryProbe(DataSource dataSource, Settings settings) {
        this.dataSource = dataSource;
        this.settings = settings;
    }

    public Result run(String eventType) throws Exception {
        UUID probe = UUID.randomUUID();
        try (Connection c = dataSource.getConnection(); DefaultCamelContext camel = dispatchContext()) {
            c.setAutoCommit(false);
            Result result;
            try {
                try (PreparedStatement ps = c.prepareStatement(INSERT_PROBE)) {
                    ps.setObject(1, probe);
                    ps.setString(2, eventType);
                    ps.executeUpdate();
                }
                dispatchOnce(camel, c);
                // only the probe's own leases count: other events' due deliveries, leased here too
                // and handed back by the rollback, say nothing about this type's boundary
                int leased = (int) new DeliveryClaimer(dataSource, "boundary-probe", 100, Long.MAX_VALUE,
                        new RouteWindows(Integer.MAX_VALUE, Integer.MAX_VALUE, Long.MAX_VALUE), 60_000, 1)
                        .claim(c, 100).stream().filter(task -> task.eventId().equals(probe)).count();
                result = deltas(c, probe, leased);
            } finally {
                c.rollback();
            }
            try (PreparedStatement ps = c.prepareStatement(TRACE)) {
                ps.setObject(1, probe);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    result = result.withTrace(rs.getLong(1));
                }
            }
            c.rollback();
            return result;
        }
    }

    /** Only the batch routes run: no timer, no queue, nothing that would touch real events on its own. */
    private DefaultCamelContext dispatchContext() throws Exception {
        DefaultCamelContext camel = new DefaultCamelContext();
        Properties properties = new Properties();
        properties.putAll(settings.camelProperties());
        CamelPlaceholders.onlyFromConfiguration(camel.getPropertiesComponent());
        camel.getPropertiesComponent().setInitialProperties(properties);
        // the probe's transaction is not the route's own, so the dispatch counts nothing into these
        DispatchComponents.bind(camel.getRegistry()::bind, dataSource, new PipelineMetrics(new SimpleMeterRegistry()), 1);
        camel.setAutoStartup(false);
        PluginHelper.getRoutesLoader(camel).loadRoutes(ResourceHelper.resolveResource(camel, DISPATCH_ROUTES));
        camel.start();
        camel.getRouteController().startRoute(CLAIMED_ROUTE);
        camel.getRouteController().startRoute(BATCH_ROUTE);
        return camel;
    }

    private static void dispatchOnce(DefaultCamelContext camel, Connection connection) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(RelayTransaction.PROPERTY, RelayTransaction.joining(connection));
        try (ProducerTemplate producer = camel.createProducerTemplate()) {
            producer.send("direct:" + BATCH_ROUTE, exchange);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        if (exchange.getException() != null) {
            throw new IllegalStateException("the dispatch pass failed: " + exchange.getException().getMessage(),
                    exchange.getException());
        }
    }

    private static Result deltas(Connection c, UUID probe, int leased) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(DELTAS)) {
            for (int i = 1; i <= 4; i++) {
                ps.setObject(i, probe);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Result(probe, rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), leased, -1);
            }
        }
    }

    /** What the probe saw inside its transaction, and what remained after the rollback. */
    public record Result(UUID probeEventId, String statusAfterDispatch, long deliveries, long attempts,
                         long deadLetters, int deliveriesLeased, long traceAfterRollback) {

        Result withTrace(long trace) {
            return new Result(probeEventId, statusAfterDispatch, deliveries, attempts, deadLetters, deliveriesLeased,
                    trace);
        }

        public boolean noDeliveryWork() {
            return deliveries == 0 && attempts == 0 && deadLetters == 0 && deliveriesLeased == 0;
        }
    }
}
