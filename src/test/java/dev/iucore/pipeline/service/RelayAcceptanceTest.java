package dev.iucore.pipeline.service;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.config.CamelCliConnector;
import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.config.Settings;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.HttpSink;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.TestDb;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.DefaultRegistry;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The relay's promises, end to end, on the real Camel Main (CamelMainTestSupport, DESIGN §2) with
 * the packaged YAML routes and the service's own beans ({@link ServiceBeans}), on the embedded
 * database, asserting rows: an event leaves only where the gate, the registry and the route table
 * all allow it; every try is recorded; failures are retried with backoff and dead-lettered;
 * events of one aggregate arrive in order.
 */
class RelayAcceptanceTest extends CamelMainTestSupport {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @RegisterExtension
    static final HttpSink SINK = new HttpSink();

    private static final Duration WAIT = Duration.ofSeconds(60);

    private ServiceBeans beans;

    /** Without Camel's CLI connector, whose thread races the context's start (CamelCliConnector). */
    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext context = super.createCamelContext();
        CamelCliConnector.off(context);
        return context;
    }

    @Override
    protected void configure(MainConfigurationProperties configuration) {
        configuration.withRoutesIncludePattern(PipelineService.PACKAGED_ROUTES);
    }

    /** The service's beans, in the registry the context is created with: the routes' beans: blocks look them up as they are read. */
    @Override
    protected Registry createCamelRegistry() {
        Registry registry = new DefaultRegistry();
        beans = ServiceBeans.bind(registry::bind, this::context, settings(), DB.db().runtime(),
                Optional.of(DB.db().scheduler()));
        return registry;
    }

    @Override
    protected Properties useOverridePropertiesWithPropertiesComponent() {
        Properties properties = new Properties();
        properties.putAll(settings().camelProperties());
        // no management server: the acceptance suite asserts on rows
        properties.setProperty("camel.management.enabled", "false");
        return properties;
    }

    @AfterEach
    void releaseLeases() {
        beans.relay().stopped();
        beans.registry().close();
    }

    private static Settings settings() {
        return DB.db().settings().with(Map.of(Setting.RELAY_POLL_INTERVAL_MS, "100",
                Setting.DELIVERY_POLL_INTERVAL_MS, "100", Setting.RELAY_LISTEN, "false"));
    }

    private static TestDb db() {
        return DB.db();
    }

    private static RelayData data() {
        return new RelayData(DB.db());
    }

    @Test
    void nothingLeavesWhileDeliveryIsClosedAndEverythingOnceItOpens() {
        SINK.stub(post(urlEqualTo("/gate")).willReturn(aResponse().withStatus(200)));
        RelayData data = data().registerType("accept.gate", "live").route("accept-gate", "accept.gate", SINK.url("/gate"));
        db().update("UPDATE iu_core_gate SET gate_value = 'false' WHERE gate_name = 'delivery_enabled'");
        UUID event = data.event("accept.gate", "g-1", "{\"n\": 1}");

        // several polls of both the dispatcher and the claimer go by
        await().pollDelay(Duration.ofSeconds(1)).atMost(WAIT).until(() -> true);
        assertThat(data.status(event)).isEqualTo("pending");
        assertThat(data.delivery(event, "accept-gate")).isEmpty();
        assertThat(SINK.received("/gate")).isEmpty();

        data.allRoutesLive(false);
        await().atMost(WAIT).until(() -> "delivered".equals(data.deliveryStatus(event, "accept-gate")));
        assertThat(data.status(event)).isEqualTo("dispatched");
        assertThat(SINK.received("/gate")).hasSize(1);
        assertThat(SINK.received("/gate").get(0).getHeader("webhook-id")).isEqualTo("msg_" + event + "_accept-gate");
        assertThat(db().query("""
                SELECT a.attempt_no, a.outcome, a.http_status FROM iu_route_attempt a
                  JOIN iu_route_delivery d ON d.id = a.delivery_id WHERE d.event_id = ?""", event))
                .containsExactly(Map.of("attempt_no", 1, "outcome", "delivered", "http_status", 200));
    }

    @Test
    void anUnregisteredOrDisabledTypeIsDeadLetteredNeverDropped() {
        RelayData data = data().registerType("accept.off", "live").allRoutesLive(false);
        db().update("UPDATE event_type_registry SET enabled = false WHERE event_type = 'accept.off'");
        UUID unknown = data.event("accept.typo", "u-1", "{}");
        UUID disabled = data.event("accept.off", "u-1", "{}");

        await().atMost(WAIT).until(() -> "dead".equals(data.status(unknown)) && "dead".equals(data.status(disabled)));
        assertThat(db().queryValue("SELECT reason FROM iu_route_dead_letter WHERE event_id = ?", unknown))
                .isEqualTo("unregistered_type");
        assertThat(db().queryValue("SELECT reason FROM iu_route_dead_letter WHERE event_id = ?", disabled))
                .isEqualTo("type_disabled");
        assertThat(db().queryLong("SELECT count(*) FROM iu_route_delivery WHERE event_id IN (?, ?)", unknown, disabled))
                .isZero();
    }

    @Test
    void onlyListedRoutesGetDeliveriesAndEachSkipIsCounted() {
        SINK.stub(post(urlEqualTo("/listed")).willReturn(aResponse().withStatus(200)));
        RelayData data = data().registerType("accept.table", "live")
                .route("accept-listed", "accept.table", SINK.url("/listed"))
                .route("accept-unlisted", "accept.table", SINK.url("/unlisted"));
        data.allRoutesLive(false);
        db().update("""
                UPDATE iu_core_gate SET gate_value = array_to_string(array_remove(string_to_array(gate_value, ','),
                       'accept-unlisted'), ',') WHERE gate_name = 'delivery_live_routes'""");
        long skippedBefore = skipped("accept-unlisted");
        UUID event = data.event("accept.table", "t-1", "{}");

        await().atMost(WAIT).until(() -> "delivered".equals(data.deliveryStatus(event, "accept-listed")));
        assertThat(data.delivery(event, "accept-unlisted")).isEmpty();
        assertThat(skipped("accept-unlisted")).isEqualTo(skippedBefore + 1);
        assertThat(db().queryValue("SELECT last_event_id FROM iu_route_skip WHERE route_key = 'accept-unlisted'"))
                .isEqualTo(event);
        assertThat(SINK.received("/unlisted")).isEmpty();
    }

    @Test
    void aFailingReceiverIsRetriedWithBackoffThenDeadLettered() {
        SINK.stub(post(urlEqualTo("/failing")).willReturn(aResponse().withStatus(503)));
        RelayData data = data().registerType("accept.retry", "live").route("accept-failing", "accept.retry",
                SINK.url("/failing"), Map.of("max_attempts", 3, "backoff_initial_ms", 300, "backoff_max_ms", 1000,
                        "read_timeout_ms", 10_000));
        data.allRoutesLive(false);
        UUID event = data.event("accept.retry", "r-1", "{}");

        await().atMost(WAIT).until(() -> "dead".equals(data.deliveryStatus(event, "accept-failing")));
        List<Map<String, Object>> tries = db().query("""
                SELECT a.outcome, a.http_status, a.attempted_at FROM iu_route_attempt a
                  JOIN iu_route_delivery d ON d.id = a.delivery_id WHERE d.event_id = ? ORDER BY a.attempt_no""", event);
        assertThat(tries).extracting(t -> t.get("outcome")).containsExactly("failed", "failed", "failed");
        assertThat(tries).extracting(t -> t.get("http_status")).containsExactly(503, 503, 503);
        // the second try waited at least the fixed half of the initial backoff (equal jitter: Backoff)
        assertThat(Duration.between(((Timestamp) tries.get(0).get("attempted_at")).toInstant(),
                ((Timestamp) tries.get(1).get("attempted_at")).toInstant())).isGreaterThanOrEqualTo(Duration.ofMillis(150));
        assertThat(db().queryValue("SELECT reason FROM iu_route_dead_letter WHERE event_id = ?", event))
                .isEqualTo("attempts_exhausted");
        assertThat(SINK.received("/failing")).hasSize(3);
    }

    @Test
    void theEventsOfOneAggregateArriveInTheirOrder() {
        SINK.stub(post(urlEqualTo("/ordered")).willReturn(aResponse().withStatus(200)));
        RelayData data = data().registerType("accept.order", "live").route("accept-ordered", "accept.order",
                SINK.url("/ordered"), Map.of("ordered", true));
        data.allRoutesLive(false);
        for (int n = 0; n < 20; n++) {
            data.event("accept.order", "o-1", "{\"n\": " + n + "}");
        }

        await().atMost(WAIT).until(() -> SINK.received("/ordered").size() == 20);
        assertThat(SINK.received("/ordered")).extracting(r -> r.getBodyAsString())
                .containsExactly(java.util.stream.IntStream.range(0, 20).mapToObj(n -> "{\"n\": " + n + "}")
                        .toArray(String[]::new));
    }

    private static long skipped(String routeKey) {
        return db().queryLong("SELECT coalesce(sum(events_skipped), 0) FROM iu_route_skip WHERE route_key = ?", routeKey);
    }
}
