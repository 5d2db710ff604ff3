package dev.iucore.pipeline.security;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.delivery.DeliveryClaimer;
import dev.iucore.pipeline.delivery.DeliveryTask;
import dev.iucore.pipeline.delivery.RouteWindows;
import dev.iucore.pipeline.metrics.PipelineMetrics;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.HttpSink;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.RelayExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Payload size: capped at insert, a large event still delivered, a claim bounded by bytes. */
class PayloadCapTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @RegisterExtension
    static final HttpSink SINK = new HttpSink();

    @RegisterExtension
    static final RelayExtension RELAY = new RelayExtension(DB, "payload-test");

    /** A JSON payload of about {@code mib} MiB of random hex, which compression cannot shrink much. */
    private static final String PAYLOAD = """
            SELECT jsonb_build_object('blob', string_agg(md5(random()::text), ''))
              FROM generate_series(1, (? * 1048576) / 32)""";

    @Test
    void aPayloadOver16MibIsRefusedAtInsertAndNothingIsStored() {
        new RelayData(DB.db()).registerType("test.payload.huge", "live");
        assertThatThrownBy(() -> DB.db().update("""
                INSERT INTO event_outbox (event_type, aggregate_type, aggregate_id, payload)
                SELECT 'test.payload.huge', 'test', 'huge', (""" + PAYLOAD + ")", 17))
                .hasMessageContaining("event_outbox_payload_at_most_16_mib");
        assertThat(DB.db().queryLong("SELECT count(*) FROM event_outbox WHERE event_type = 'test.payload.huge'")).isZero();
    }

    @Test
    void aTenMegabyteEventIsStillDelivered() {
        SINK.stub(post(urlEqualTo("/large")).willReturn(aResponse().withStatus(204)));
        RelayData data = RELAY.data();
        data.registerType("test.payload.large", "live").route("large-hook", "test.payload.large", SINK.url("/large"),
                Map.of("read_timeout_ms", 20000));
        data.openGates(false, "large-hook");
        DB.db().update("""
                INSERT INTO event_outbox (event_type, aggregate_type, aggregate_id, payload)
                SELECT 'test.payload.large', 'test', 'large', (""" + PAYLOAD + ")", 10);
        await().atMost(Duration.ofSeconds(60)).until(() -> DB.db().queryLong(
                "SELECT count(*) FROM iu_route_delivery WHERE route_key = 'large-hook' AND status = 'delivered'") == 1);
        assertThat(SINK.received("/large").get(0).getBody().length).isGreaterThan(10_000_000);
        data.closeGates();
    }

    @Test
    void aClaimTakesNoMorePayloadThanItsByteBudgetButAlwaysItsFirstDelivery() throws Exception {
        new RelayData(DB.db()).registerType("test.payload.claimed", "live")
                .route("claimed-hook", "test.payload.claimed", "log:claimed");
        String dispatchedWithDelivery = """
                WITH e AS (INSERT INTO event_outbox (event_type, aggregate_type, aggregate_id, payload, status, dispatched_at)
                           SELECT 'test.payload.claimed', 'test', 'c-' || ?, (%s), 'dispatched', now()
                           RETURNING id, event_id, aggregate_id)
                INSERT INTO iu_route_delivery (event_id, outbox_id, aggregate_id, route_kind, route_key)
                SELECT event_id, id, aggregate_id, 'outbound', 'claimed-hook' FROM e""".formatted(PAYLOAD);
        for (int i = 0; i < 3; i++) {
            DB.db().update(dispatchedWithDelivery, i, 3);
        }
        // the relay of this class must not take them: only the claimers below
        try (Connection c = DB.db().runtime().getConnection()) {
            c.setAutoCommit(false);
            c.createStatement().execute("SELECT fn_iu_core_gate_override('delivery_enabled', 'true'),"
                    + " fn_iu_core_gate_override('delivery_live_routes', 'claimed-hook')");
            // 3 MiB each: a 5 MiB budget takes the first two (the second starts at 3 MiB), a 1 MiB one the first
            assertThat(claim(c, 5L << 20)).hasSize(2);
            c.rollback();
            c.createStatement().execute("SELECT fn_iu_core_gate_override('delivery_enabled', 'true'),"
                    + " fn_iu_core_gate_override('delivery_live_routes', 'claimed-hook')");
            assertThat(claim(c, 1L << 20)).hasSize(1);
            c.rollback();
        }
    }

    private static List<DeliveryTask> claim(Connection c, long budget) throws Exception {
        return new DeliveryClaimer(DB.db().runtime(), "payload-claimer", 100, budget, new RouteWindows(10, 10, 1000), 60_000, 31_000, () -> 8,
                new PipelineMetrics(new SimpleMeterRegistry())).claim(c, 100);
    }
}
