package dev.iucore.pipeline.verify;

import dev.iucore.pipeline.config.CamelCliConnector;
import dev.iucore.pipeline.config.CamelPlaceholders;
import dev.iucore.pipeline.config.Settings;
import dev.iucore.pipeline.delivery.DeliveryClaimer;
import dev.iucore.pipeline.delivery.RouteWindows;
import dev.iucore.pipeline.metrics.PipelineMetrics;
import dev.iucore.pipeline.outbox.DispatchBatch;
import dev.iucore.pipeline.outbox.DispatchComponents;
import dev.iucore.pipeline.outbox.HeldEventClaimer;
import dev.iucore.pipeline.relay.RelayGates;
import dev.iucore.pipeline.relay.RelayTransaction;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.direct.DirectComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

/**
 * The bounded BEGIN/ROLLBACK probe of the field report, through the real relay: in one
 * transaction it inserts one event of the type, runs the packaged dispatch route
 * ({@code outbox-dispatch-batch} from {@code routes/outbox-dispatch.yaml}, joining this
 * transaction), then, if that held the event, the delayed lane's release ({@link HeldEventClaimer}
 * and the {@code dispatch-claimed} flow it reuses) as the gates stand and, when that released
 * nothing, once more with the worker gates opened for this transaction only, so the path by which a
 * held event moves on is always exercised; then the real delivery claim. It counts what appeared for
 * that event in {@code iu_route_delivery}, {@code iu_route_attempt} and {@code iu_route_dead_letter},
 * and rolls everything back. The delivery pass claims but never sends: a send would be the very
 * leak the probe exists to rule out, and cannot be rolled back.
 */
public final class BoundaryProbe {

    static final String DISPATCH_ROUTES = "classpath:routes/outbox-dispatch.yaml";
    static final String BATCH_ROUTE = "outbox-dispatch-batch";
    /** The flow the batch hands its claimed events to. */
    static final String CLAIMED_ROUTE = "dispatch-claimed";

    // available_at -infinity: the probe event is first in the dispatcher's claim whatever the backlog;
    // a negative id (no sequence value is ever one) puts it first in the delayed lane's, which takes
    // held events by id, so a release of one event releases the probe's and touches no other
    static final String INSERT_PROBE = """
            INSERT INTO event_outbox (id, event_id, event_type, aggregate_type, aggregate_id, payload, actor, available_at)
            VALUES (?, ?, ?, 'boundary-probe', 'boundary-probe', '{"probe": true}', 'iu-core verify boundary', '-infinity')""";
    static final String STATUS = "SELECT status FROM event_outbox WHERE event_id = ?";
    // every worker gate open for this transaction only: what the release would do once they open
    static final String OPEN_WORKER_GATES = """
            SELECT fn_iu_core_gate_override('delivery_enabled', 'true'),
                   fn_iu_core_gate_override('sql_routes_enabled', 'true'),
                   fn_iu_core_gate_override('delivery_live_routes',
                       (SELECT string_agg(route_key, ',') FROM iu_outbound_route WHERE event_type = ?))""";
    static final String AS_THE_GATES_STAND = "as the gates stand";
    static final String WORKER_GATES_OPENED = "worker gates opened for this transaction";
    static final String DELTAS = """
            SELECT (SELECT count(*) FROM iu_route_delivery d JOIN event_outbox e ON e.id = d.outbox_id WHERE e.event_id = ?),
                   (SELECT count(*) FROM iu_route_attempt a JOIN iu_route_delivery d ON d.id = a.delivery_id
                      JOIN event_outbox e ON e.id = d.outbox_id WHERE e.event_id = ?),
                   (SELECT count(*) FROM iu_route_dead_letter WHERE event_id = ?)""";
    static final String TRACE = "SELECT count(*) FROM event_outbox WHERE event_id = ?";

    private final DataSource dataSource;
    private final Settings settings;
    /** The probe's transaction is not the relay's own: its dispatch and claim count nothing into the service's meters. */
    private final PipelineMetrics uncounted = new PipelineMetrics(new SimpleMeterRegistry());

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
                    ps.setLong(1, -1 - (probe.getMostSignificantBits() >>> 1));
                    ps.setObject(2, probe);
                    ps.setString(3, eventType);
                    ps.executeUpdate();
                }
                dispatchOnce(camel, c);
                String afterDispatch = status(c, probe);
                List<Release> releases = "held".equals(afterDispatch) ? releaseHeld(camel, c, probe, eventType) : List.of();
                // only the probe's own leases count: other events' due deliveries, leased here too
                // and handed back by the rollback, say nothing about this type's boundary
                int leased = (int) new DeliveryClaimer(dataSource, "boundary-probe", 100, Long.MAX_VALUE,
                        new RouteWindows(Integer.MAX_VALUE, Integer.MAX_VALUE, Long.MAX_VALUE), 60_000, 0, () -> 1, uncounted)
                        .claim(c, 100).stream().filter(task -> task.eventId().equals(probe)).count();
                result = deltas(c, probe, afterDispatch, releases, leased);
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
    DefaultCamelContext dispatchContext() throws Exception {
        DefaultCamelContext camel = new DefaultCamelContext();
        // its connector raced its start, and its stop would stop the service's context (CamelCliConnector)
        CamelCliConnector.off(camel);
        Properties properties = new Properties();
        properties.putAll(settings.camelProperties());
        CamelPlaceholders.onlyFromConfiguration(camel.getPropertiesComponent());
        camel.getPropertiesComponent().setInitialProperties(properties);
        DispatchComponents.bind(camel.getRegistry()::bind, dataSource, uncounted, 1);
        camel.setAutoStartup(false);
        // bound to one dispatcher, its full batches of one tap no dispatcher beside them; should a send
        // reach a route not running here, it fails at once instead of waiting direct's 30 s for a
        // consumer and then holding the context's stop as long
        camel.getComponent("direct", DirectComponent.class).setBlock(false);
        PluginHelper.getRoutesLoader(camel).loadRoutes(ResourceHelper.resolveResource(camel, DISPATCH_ROUTES));
        camel.start();
        camel.getRouteController().startRoute(CLAIMED_ROUTE);
        camel.getRouteController().startRoute(BATCH_ROUTE);
        return camel;
    }

    private static void dispatchOnce(DefaultCamelContext camel, Connection connection) {
        run(camel, "direct:" + BATCH_ROUTE, null, connection, "the dispatch pass");
    }

    /** Sends the body through a route on the probe's transaction; a failure fails the probe, naming the step. */
    private static void run(DefaultCamelContext camel, String uri, Object body, Connection connection, String step) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(RelayTransaction.PROPERTY, RelayTransaction.joining(connection));
        exchange.getMessage().setBody(body);
        try (ProducerTemplate producer = camel.createProducerTemplate()) {
            producer.send(uri, exchange);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        if (exchange.getException() != null) {
            throw new IllegalStateException(step + " failed: " + exchange.getException().getMessage(),
                    exchange.getException());
        }
    }

    /**
     * The held probe event through the delayed lane as the gates stand; when that releases nothing,
     * once more with every worker gate opened for this transaction only, so the release path runs.
     */
    private static List<Release> releaseHeld(DefaultCamelContext camel, Connection c, UUID probe, String eventType)
            throws SQLException {
        List<Release> releases = new ArrayList<>();
        releases.add(release(camel, c, probe, AS_THE_GATES_STAND));
        if (!releases.get(0).claimed()) {
            try (PreparedStatement ps = c.prepareStatement(OPEN_WORKER_GATES)) {
                ps.setString(1, eventType);
                ps.executeQuery().close();
            }
            releases.add(release(camel, c, probe, WORKER_GATES_OPENED));
        }
        return releases;
    }

    /**
     * One run of the delayed lane's batch on the probe's transaction: the gates as it reads them, the
     * claim the route would choose on them ({@code routes/delayed-lane.yaml}), then the dispatcher's
     * flow. A batch of one: the probe event is first in line.
     */
    private static Release release(DefaultCamelContext camel, Connection c, UUID probe, String gatesRead)
            throws SQLException {
        RelayTransaction transaction = RelayTransaction.joining(c);
        RelayGates gates = RelayGates.read(c);
        HeldEventClaimer claimer = new HeldEventClaimer(1);
        DispatchBatch batch = gates.deliveryEnabled() ? claimer.claim(gates, transaction, camel)
                : claimer.nothing(gates, transaction);
        boolean claimed = batch.events().stream().anyMatch(e -> e.eventId().equals(probe));
        if (batch.claimedAny()) {
            run(camel, "direct:" + CLAIMED_ROUTE, batch, c, "the delayed-lane release");
        }
        return new Release(gatesRead, gates.deliveryEnabled(), claimed, status(c, probe));
    }

    private static String status(Connection c, UUID probe) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(STATUS)) {
            ps.setObject(1, probe);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : "gone";
            }
        }
    }

    private static Result deltas(Connection c, UUID probe, String afterDispatch, List<Release> releases, int leased)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(DELTAS)) {
            for (int i = 1; i <= 3; i++) {
                ps.setObject(i, probe);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Result(probe, afterDispatch, List.copyOf(releases), rs.getLong(1), rs.getLong(2),
                        rs.getLong(3), leased, -1);
            }
        }
    }

    /**
     * A delayed-lane release the probe ran: which gates it read, whether they let it claim, whether
     * it took the probe event, and the event's status after it.
     */
    public record Release(String gates, boolean deliveryEnabled, boolean claimed, String statusAfter) {
    }

    /** What the probe saw inside its transaction, and what remained after the rollback. */
    public record Result(UUID probeEventId, String statusAfterDispatch, List<Release> releases, long deliveries,
                         long attempts, long deadLetters, int deliveriesLeased, long traceAfterRollback) {

        Result withTrace(long trace) {
            return new Result(probeEventId, statusAfterDispatch, releases, deliveries, attempts, deadLetters,
                    deliveriesLeased, trace);
        }

        public boolean noDeliveryWork() {
            return deliveries == 0 && attempts == 0 && deadLetters == 0 && deliveriesLeased == 0;
        }
    }
}
