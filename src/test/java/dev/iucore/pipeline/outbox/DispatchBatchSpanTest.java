package dev.iucore.pipeline.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.iucore.pipeline.config.CamelCliConnector;
import dev.iucore.pipeline.relay.RelayGateReader;
import dev.iucore.pipeline.relay.RelayTransactionPolicy;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.tracing.Tracing;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A dispatch batch that fails after its claim: the batch's span ends rolled back, with the error and
 * the events it had claimed, and those events are still pending (nothing lost, retried next poll).
 * An idle poll's batch, which claimed nothing, makes no span.
 */
class DispatchBatchSpanTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();
    private static DefaultCamelContext camel;
    private static ProducerTemplate producer;
    private static Tracing tracing;
    private static Tracing failingTracing;

    @BeforeAll
    static void routes() throws Exception {
        tracing = Tracing.using(OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(SPANS)).build())
                .build());
        failingTracing = Tracing.using(OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(new FailingOnEnd()).build()).build());
        camel = new DefaultCamelContext();
        CamelCliConnector.off(camel);
        camel.getRegistry().bind("dispatchBatchSpan", new DispatchBatchSpan(tracing));
        camel.getRegistry().bind("relayTransaction", new RelayTransactionPolicy(DB.db().runtime()));
        camel.getRegistry().bind("failingBatchSpan", new DispatchBatchSpan(failingTracing));
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                // the dispatcher's claim, then a step that fails before the batch commits
                from("direct:batch").routeId("outbox-dispatch-batch").errorHandler(noErrorHandler())
                        .policy("dispatchBatchSpan").policy("relayTransaction")
                        .bean(new RelayGateReader(), "read")
                        .bean(new OutboxClaimer(50), "claim")
                        .throwException(new IllegalStateException("the route table could not be read"));
                // delivery closed: only undeliverable events are claimed, and there are none
                from("direct:idle").routeId("outbox-dispatch-idle").errorHandler(noErrorHandler())
                        .policy("dispatchBatchSpan").policy("relayTransaction")
                        .bean(new RelayGateReader(), "read")
                        .bean(new OutboxClaimer(50), "claimUndeliverable");
                // a batch that commits, traced by an exporter that fails
                from("direct:committed").routeId("outbox-dispatch-traced").errorHandler(noErrorHandler())
                        .policy("failingBatchSpan").policy("relayTransaction")
                        .bean(new RelayGateReader(), "read")
                        .bean(new OutboxClaimer(50), "claim");
            }
        });
        camel.start();
        producer = camel.createProducerTemplate();
    }

    @AfterAll
    static void stop() throws Exception {
        producer.close();
        camel.close();
        tracing.close();
        failingTracing.close();
    }

    /** A span processor that fails as each span ends. */
    private static final class FailingOnEnd implements SpanProcessor {
        @Override
        public void onStart(Context parent, ReadWriteSpan span) {
        }

        @Override
        public boolean isStartRequired() {
            return false;
        }

        @Override
        public void onEnd(ReadableSpan span) {
            throw new IllegalStateException("the exporter failed");
        }

        @Override
        public boolean isEndRequired() {
            return true;
        }
    }

    @Test
    void aBatchThatFailsAfterItsClaimEndsItsSpanRolledBackAndItsEventsStayPending() {
        RelayData data = new RelayData(DB.db()).registerType("test.span.rollback", "live");
        UUID event = data.event("test.span.rollback", "agg-1", "{}");

        SPANS.reset();
        Exchange done = producer.send("direct:batch", exchange -> exchange.getMessage().setBody(null));

        assertThat(done.getException()).hasMessageContaining("the route table could not be read");
        assertThat(data.status(event)).isEqualTo("pending");
        List<SpanData> spans = SPANS.getFinishedSpanItems();
        assertThat(spans).hasSize(1);
        SpanData batch = spans.get(0);
        assertThat(batch.getName()).isEqualTo("iu.dispatch.batch");
        assertThat(batch.getAttributes().get(DispatchBatchSpan.OUTCOME)).isEqualTo("rolled_back");
        assertThat(batch.getAttributes().get(DispatchBatchSpan.EVENT_IDS)).contains(event.toString());
        assertThat(batch.getAttributes().get(DispatchBatchSpan.CLAIMED)).isGreaterThanOrEqualTo(1L);
        assertThat(batch.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(batch.getEvents()).extracting(EventData::getName).contains("exception");
    }

    @Test
    void aCommittedBatchWhoseSpanCannotBeRecordedIsNoFailureAndKeepsItsBatchForTheWorkers() {
        RelayData data = new RelayData(DB.db()).registerType("test.span.exporter", "live");
        UUID event = data.event("test.span.exporter", "agg-1", "{}");

        Exchange done = producer.send("direct:committed", exchange -> exchange.getMessage().setBody(null));

        // a failure here would have the drain skip handing the batch's leased deliveries to the workers
        assertThat(done.getException()).isNull();
        assertThat(done.getMessage().getBody(DispatchBatch.class).events())
                .extracting(OutboxEvent::eventId).contains(event);
    }

    @Test
    void aBatchThatClaimedNothingMakesNoSpan() {
        SPANS.reset();

        Exchange done = producer.send("direct:idle", exchange -> exchange.getMessage().setBody(null));

        assertThat(done.getException()).isNull();
        assertThat(done.getMessage().getBody(DispatchBatch.class).events()).isEmpty();
        assertThat(SPANS.getFinishedSpanItems()).isEmpty();
    }
}
