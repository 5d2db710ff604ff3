package dev.iucore.pipeline.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.iucore.pipeline.config.CamelCliConnector;
import dev.iucore.pipeline.testing.DatabaseExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The relay's one transaction idiom: steps inside the policy commit or roll back together; its hooks
 * run after a commit or a rollback of its own, each only after its own.
 */
class RelayTransactionPolicyTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final String INSERT = """
            INSERT INTO event_outbox (event_id, event_type, aggregate_type, aggregate_id, payload)
            VALUES (?, 'test.policy', 'policy', 'policy-1', '{}')""";
    private static final String COUNT = "SELECT count(*) FROM event_outbox WHERE event_id = ?";
    /** What the after-rollback hook notes. */
    private static final long ROLLED_BACK = -2;

    private static DefaultCamelContext camel;
    private static ProducerTemplate producer;

    @BeforeAll
    static void routes() throws Exception {
        camel = new DefaultCamelContext();
        CamelCliConnector.off(camel);
        camel.getRegistry().bind("relayTransaction", new RelayTransactionPolicy(DB.db().runtime()));
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                // the body is the event id; the hook notes how many rows of it another connection sees
                from("direct:insert").errorHandler(noErrorHandler()).policy("relayTransaction")
                        .process(RelayTransactionPolicyTest::insertWithHook);
                from("direct:insert-then-fail").errorHandler(noErrorHandler()).policy("relayTransaction")
                        .process(RelayTransactionPolicyTest::insertWithHook)
                        .throwException(new IllegalStateException("a later step failed"));
            }
        });
        camel.start();
        producer = camel.createProducerTemplate();
    }

    @AfterAll
    static void stop() throws Exception {
        producer.close();
        camel.close();
    }

    private static void insertWithHook(Exchange exchange) throws Exception {
        UUID eventId = exchange.getMessage().getBody(UUID.class);
        RelayTransaction transaction = RelayTransaction.of(exchange);
        try (PreparedStatement ps = transaction.connection().prepareStatement(INSERT)) {
            ps.setObject(1, eventId);
            ps.executeUpdate();
        }
        AtomicLong seenByHook = exchange.getProperty("seenByHook", AtomicLong.class);
        transaction.afterCommit(() -> seenByHook.set(DB.db().queryLong(COUNT, eventId)));
        transaction.afterRollback(() -> seenByHook.set(ROLLED_BACK));
    }

    private static Exchange send(String uri, UUID eventId, AtomicLong seenByHook, Connection callers) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setBody(eventId);
        exchange.setProperty("seenByHook", seenByHook);
        if (callers != null) {
            exchange.setProperty(RelayTransaction.PROPERTY, RelayTransaction.joining(callers));
        }
        return producer.send(uri, exchange);
    }

    @Test
    void stepsCommitTogetherAndHooksRunOnceTheCommitIsVisible() {
        UUID eventId = UUID.randomUUID();
        AtomicLong seenByHook = new AtomicLong(-1);

        Exchange done = send("direct:insert", eventId, seenByHook, null);

        assertThat(done.getException()).isNull();
        assertThat(DB.db().queryLong(COUNT, eventId)).isEqualTo(1);
        assertThat(seenByHook.get()).as("the hook ran after the commit, from another connection").isEqualTo(1);
        assertThat(done.getProperty(RelayTransaction.PROPERTY)).as("the transaction ends with the policy").isNull();
    }

    @Test
    void aFailingStepRollsBackTheEarlierStepsAndOnlyTheRollbackHookRuns() {
        UUID eventId = UUID.randomUUID();
        AtomicLong seenByHook = new AtomicLong(-1);

        Exchange done = send("direct:insert-then-fail", eventId, seenByHook, null);

        assertThat(done.getException()).isInstanceOf(IllegalStateException.class).hasMessage("a later step failed");
        assertThat(DB.db().queryLong(COUNT, eventId)).as("rolled back").isZero();
        assertThat(seenByHook.get()).as("the after-rollback hook ran, the after-commit one did not").isEqualTo(ROLLED_BACK);
    }

    @Test
    void aCallersTransactionIsJoinedLeftOpenAndRunsNoHook() throws Exception {
        UUID eventId = UUID.randomUUID();
        AtomicLong seenByHook = new AtomicLong(-1);
        try (Connection callers = DB.db().runtime().getConnection()) {
            callers.setAutoCommit(false);

            Exchange done = send("direct:insert", eventId, seenByHook, callers);

            assertThat(done.getException()).isNull();
            try (PreparedStatement ps = callers.prepareStatement(COUNT)) {
                ps.setObject(1, eventId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("written on the caller's transaction").isEqualTo(1);
                }
            }
            assertThat(DB.db().queryLong(COUNT, eventId)).as("not committed by the policy").isZero();
            callers.rollback();
        }
        assertThat(DB.db().queryLong(COUNT, eventId)).isZero();
        assertThat(seenByHook.get()).as("a caller's transaction runs no hook of ours").isEqualTo(-1);
    }
}
