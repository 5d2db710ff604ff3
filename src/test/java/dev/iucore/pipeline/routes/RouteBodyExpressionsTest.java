package dev.iucore.pipeline.routes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.iucore.pipeline.config.CamelCliConnector;
import dev.iucore.pipeline.delivery.DeliveryClaimer;
import dev.iucore.pipeline.delivery.DeliveryTask;
import dev.iucore.pipeline.outbox.DispatchBatch;
import dev.iucore.pipeline.outbox.OutboxEvent;
import java.util.AbstractList;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bodies the YAML routes call {@code ${body.…}} on are hashed by identity: Camel keys its
 * bean-info cache by the instance called (BeanInfoCacheKey), and a record's value hash walked every
 * event or task of the body for each step. Here the list refuses to be hashed: the route's own
 * expressions still evaluate.
 */
class RouteBodyExpressionsTest {

    private static CamelContext context;

    @BeforeAll
    static void start() {
        context = new DefaultCamelContext();
        // its connector's thread races the start (config/CamelCliConnector)
        CamelCliConnector.off(context);
        context.start();
    }

    @AfterAll
    static void stop() {
        context.stop();
    }

    @Test
    void aDispatchBatchIsNotHashedByItsEvents() {
        DispatchBatch batch = new DispatchBatch(null, null, new Unhashable<OutboxEvent>(), true, DispatchBatch.rolledBack().plan());
        assertThat(matches(batch, "${body?.full()} != false")).isTrue();
        assertThat(evaluate(batch, "${body.plan().leased()}")).asList().isEmpty();
        assertThat(batch).isNotEqualTo(new DispatchBatch(null, null, batch.events(), true, batch.plan()));
    }

    @Test
    void aLeaseIsNotHashedByItsTasks() {
        DeliveryClaimer.Lease lease = new DeliveryClaimer.Lease(new Unhashable<DeliveryTask>(), false);
        assertThat(matches(lease, "${body?.again()} != false")).isFalse();
        assertThat(evaluate(lease, "${body.tasks()}")).isSameAs(lease.tasks());
    }

    private static Object evaluate(Object body, String simple) {
        return context.resolveLanguage("simple").createExpression(simple).evaluate(exchange(body), Object.class);
    }

    private static boolean matches(Object body, String simple) {
        return context.resolveLanguage("simple").createPredicate(simple).matches(exchange(body));
    }

    private static Exchange exchange(Object body) {
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setBody(body);
        return exchange;
    }

    /** An empty list whose hash (and equality, which a hash map's lookup may call) fails the test. */
    private static final class Unhashable<T> extends AbstractList<T> {
        @Override
        public T get(int index) {
            throw new IndexOutOfBoundsException(index);
        }

        @Override
        public int size() {
            return 0;
        }

        @Override
        public int hashCode() {
            throw new AssertionError("a route body's list was hashed");
        }

        @Override
        public boolean equals(Object other) {
            throw new AssertionError("a route body's list was compared");
        }
    }
}
