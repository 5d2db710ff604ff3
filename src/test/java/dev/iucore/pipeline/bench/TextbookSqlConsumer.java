package dev.iucore.pipeline.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.iucore.pipeline.config.CamelCliConnector;
import java.time.Duration;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * The textbook camel-sql outbox relay, for comparison with ours (DESIGN §12): a polling
 * {@code sql:} consumer that selects pending rows and marks each one with {@code onConsume} after
 * the route handled it; the route only logs (at DEBUG, so nothing is written under the benchmark's
 * WARN). Each {@code onConsume} is its own autocommit transaction, one round trip and one commit
 * per event. It has none of the relay's work (registry, gates, deliveries), and none of its
 * safety: the SELECT locks nothing, so two such consumers would take the same rows (DESIGN §6).
 */
final class TextbookSqlConsumer {

    /**
     * The LIMIT is in the SQL as well as in maxMessagesPerPoll, as DESIGN §6 asks; the delay is a
     * short positive one (0 would mean Camel's 500 ms), the textbook's best case on a backlog.
     */
    static final String ENDPOINT = "sql:SELECT id, event_id, event_type, aggregate_id, payload FROM event_outbox"
            + " WHERE status = 'pending' ORDER BY id LIMIT 500"
            + "?onConsume=UPDATE event_outbox SET status = 'dispatched', dispatched_at = now() WHERE id = :#id"
            + "&delay=10&maxMessagesPerPoll=500&dataSource=#outbox";

    private TextbookSqlConsumer() {
    }

    /**
     * Drains the pending events of the database and returns how long it took, from the start of
     * its CamelContext to the last event marked.
     *
     * @param asyncCommit each mark commits without waiting for the disk, as the relay's bookkeeping
     *                    does; false: the database's default (synchronous_commit on)
     */
    static Duration drain(BenchDatabase database, boolean asyncCommit) throws Exception {
        try (HikariDataSource pool = database.runtimePool(4, asyncCommit); DefaultCamelContext camel = new DefaultCamelContext()) {
            CamelCliConnector.off(camel);
            camel.getRegistry().bind("outbox", pool);
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from(ENDPOINT).routeId("textbook-outbox").to("log:bench.textbook?level=DEBUG");
                }
            });
            long start = System.nanoTime();
            camel.start();
            while (database.count(BenchDatabase.ANY_PENDING) > 0) {
                Thread.sleep(50);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            camel.stop();
            return took;
        }
    }
}
