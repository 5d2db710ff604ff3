package dev.iucore.pipeline.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.config.CamelCliConnector;
import dev.iucore.pipeline.testing.DatabaseExtension;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The LISTEN thread on the real database, waking a dispatcher shaped as outbox-dispatch.yaml's (a
 * queue of one request, one consumer) whose passes the test lets run one at a time: a notification
 * sends a wake-up only while no request waits in that queue, and never goes unanswered.
 */
class OutboxWakeupTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    static final String LISTENING = "SELECT count(*) FROM pg_stat_activity WHERE query = 'LISTEN iu_core_outbox'";

    private final AtomicInteger wakes = new AtomicInteger();
    private final AtomicInteger passes = new AtomicInteger();
    /** One permit lets one pass end. */
    private final Semaphore passEnds = new Semaphore(0);
    private DefaultCamelContext camel;

    @BeforeEach
    void start() throws Exception {
        camel = new DefaultCamelContext();
        // its connector's thread races the start (config/CamelCliConnector)
        CamelCliConnector.off(camel);
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(OutboxWakeup.WAKE).process(exchange -> wakes.incrementAndGet())
                        .to("seda:outbox-dispatch?size=1&discardWhenFull=true");
                from("seda:outbox-dispatch?size=1&concurrentConsumers=1").routeId(OutboxWakeup.DISPATCHER)
                        .process(exchange -> {
                            passes.incrementAndGet();
                            passEnds.acquire();
                        });
            }
        });
        camel.addService(new OutboxWakeup(DB.db().runtime()));
        camel.start();
        // the wake-up at connect: its pass runs (and holds) while the queue is empty again
        await().atMost(Duration.ofSeconds(10)).until(() -> DB.db().superuserQueryLong(LISTENING) == 1 && passes.get() == 1);
    }

    @AfterEach
    void stop() {
        passEnds.release(100);
        camel.stop();
    }

    @Test
    void whileARequestWaitsInTheDispatchersQueueNotificationsSendNoWakeUp() throws Exception {
        sendNotification();
        await().atMost(Duration.ofSeconds(10)).until(() -> wakes.get() == 2);
        // a pass runs and a request waits: these five are the waiting request's pass's to take
        for (int i = 0; i < 5; i++) {
            sendNotification();
        }
        // the listener reads them within milliseconds; each wake-up would count here before the full queue dropped it
        Thread.sleep(500);
        assertThat(wakes.get()).as("no wake-up for the five").isEqualTo(2);

        // the waiting request's pass begins: the queue is empty, and the next notification wakes it again
        passEnds.release();
        await().atMost(Duration.ofSeconds(10)).until(() -> passes.get() == 2);
        sendNotification();
        await().atMost(Duration.ofSeconds(10)).until(() -> wakes.get() == 3);
        passEnds.release();
        await().atMost(Duration.ofSeconds(10)).until(() -> passes.get() == 3);
    }

    /** What the outbox's insert trigger sends at a commit (V093). */
    private static void sendNotification() throws SQLException {
        try (Connection c = DB.db().owner().getConnection(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_notify('" + OutboxWakeup.CHANNEL + "', '')");
        }
    }
}
