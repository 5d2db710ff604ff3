package dev.iucore.pipeline.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.testing.DatabaseExtension;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The LISTEN thread on the real database, waking a real Camel route: a wake-up at connect, one for
 * the first notification, and then one read of the channel per pause (the dispatcher's
 * {@code iu.relay.gather-ms}) for whatever was notified meanwhile, never none.
 */
class OutboxWakeupTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final long PAUSE_MS = 1000;
    private static final String LISTENING = "SELECT count(*) FROM pg_stat_activity WHERE query = 'LISTEN iu_core_outbox'";

    private final List<Long> wakes = new CopyOnWriteArrayList<>();
    private DefaultCamelContext camel;

    @BeforeEach
    void start() throws Exception {
        camel = new DefaultCamelContext();
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(OutboxWakeup.WAKE).process(exchange -> wakes.add(System.nanoTime()));
            }
        });
        camel.addService(new OutboxWakeup(DB.db().runtime(), PAUSE_MS));
        camel.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> DB.db().superuserQueryLong(LISTENING) == 1 && wakes.size() == 1);
    }

    @AfterEach
    void stop() {
        camel.stop();
    }

    @Test
    void notificationsDuringThePauseWakeTheDispatcherOnceWhenItEnds() throws Exception {
        sendNotifications(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> wakes.size() == 2);
        // within the pause that follows: 19 more, at one commit (distinct payloads, so none is merged)
        sendNotifications(19);
        await().atMost(Duration.ofSeconds(10)).until(() -> wakes.size() == 3);
        assertThat(Duration.ofNanos(wakes.get(2) - wakes.get(1))).as("the next read waited the pause")
                .isGreaterThanOrEqualTo(Duration.ofMillis(PAUSE_MS));
        Thread.sleep(2 * PAUSE_MS);
        assertThat(wakes).as("one wake-up for the 19").hasSize(3);

        // and one after the pause wakes it again: none is dropped
        sendNotifications(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> wakes.size() == 4);
    }

    /** What the outbox's insert trigger sends at a commit (V093); here {@code count} at one commit. */
    private static void sendNotifications(int count) throws SQLException {
        try (Connection c = DB.db().owner().getConnection(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_notify('" + OutboxWakeup.CHANNEL + "', i::text) FROM generate_series(1, " + count + ") AS i");
        }
    }
}
