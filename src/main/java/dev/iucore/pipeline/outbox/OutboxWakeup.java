package dev.iucore.pipeline.outbox;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Endpoint;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Route;
import org.apache.camel.component.seda.SedaEndpoint;
import org.apache.camel.support.service.ServiceSupport;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LISTENs on {@code iu_core_outbox} (the insert trigger's channel) and wakes the dispatcher the
 * moment events commit, instead of at its next poll. Polling stays the floor: this only makes
 * things sooner. A broken listener connection is replaced with backoff, and every (re)connect
 * wakes the dispatcher once for what was inserted while nobody listened.
 *
 * <p>No wake-up while the dispatcher's queue ({@code outbox-dispatch}, one request) already holds
 * one: that pass has not begun, so its claim takes what this notification announced. The exchange
 * would only be discarded by the full queue, and at 1,000 events a second the LISTEN thread sent
 * about 800 of them a second, a tenth of the service's CPU (BENCHMARKS.md).
 */
public final class OutboxWakeup extends ServiceSupport implements CamelContextAware {

    public static final String CHANNEL = "iu_core_outbox";
    static final String WAKE = "direct:outbox-wake";
    /** The dispatcher's route (outbox-dispatch.yaml), whose queue of one a wake-up fills. */
    static final String DISPATCHER = "outbox-dispatch";

    private static final Logger LOG = LoggerFactory.getLogger(OutboxWakeup.class);
    private static final int WAIT_MS = 1000;
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final DataSource dataSource;
    private CamelContext camelContext;
    private ProducerTemplate producer;
    /** Resolved once: by its URI, each wake-up parsed and normalised the URI again. */
    private Endpoint wakeUp;
    private volatile Thread thread;

    public OutboxWakeup(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    protected void doStart() {
        producer = camelContext.createProducerTemplate();
        wakeUp = camelContext.getEndpoint(WAKE);
        thread = new Thread(this::listen, "iu-core-outbox-listener");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    protected void doStop() throws Exception {
        Thread running = thread;
        thread = null;
        if (running != null) {
            running.interrupt();
            running.join(WAIT_MS * 3L);
        }
        producer.close();
    }

    private void listen() {
        long backoffMs = 500;
        while (thread == Thread.currentThread()) {
            try (Connection connection = dataSource.getConnection()) {
                try (Statement s = connection.createStatement()) {
                    s.execute("LISTEN " + CHANNEL);
                }
                PGConnection pg = connection.unwrap(PGConnection.class);
                LOG.debug("listening on {}", CHANNEL);
                backoffMs = 500;
                wake();
                while (thread == Thread.currentThread()) {
                    PGNotification[] notifications = pg.getNotifications(WAIT_MS);
                    if (notifications != null && notifications.length > 0) {
                        wake();
                    }
                }
            } catch (SQLException e) {
                if (thread != Thread.currentThread()) {
                    return;
                }
                LOG.warn("outbox listener connection lost ({}); reconnecting in {} ms, polling continues meanwhile",
                        e.getMessage(), backoffMs);
                if (!pause(backoffMs)) {
                    return;
                }
                backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF.toMillis());
            }
        }
    }

    private void wake() {
        if (dispatchRequested()) {
            return;
        }
        try {
            producer.sendBody(wakeUp, null);
        } catch (RuntimeException e) {
            LOG.debug("dispatcher wake-up not delivered: {}", e.getMessage());
        }
    }

    /** A request waits in the dispatcher's queue; false also when the route is not a seda consumer (an edited route). */
    private boolean dispatchRequested() {
        Route dispatcher = camelContext.getRoute(DISPATCHER);
        return dispatcher != null && dispatcher.getEndpoint() instanceof SedaEndpoint seda && !seda.getQueue().isEmpty();
    }

    private static boolean pause(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
