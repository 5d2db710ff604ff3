package dev.iucore.pipeline.metrics;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.retention.RetentionRunner;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.Http11;
import dev.iucore.pipeline.testing.HttpSink;
import dev.iucore.pipeline.testing.PrometheusText;
import dev.iucore.pipeline.testing.PrometheusText.Sample;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.RunningPipeline;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code /observe/metrics} after a known scenario through the real relay, read by Prometheus' own
 * parser.
 */
class MetricsEndpointTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @RegisterExtension
    static final HttpSink SINK = new HttpSink();

    private static final Duration WAIT = Duration.ofSeconds(30);
    // HTTP/1.1 as Prometheus scrapes (Http11): with the h2c upgrade, every scrape of a test once failed
    private static final HttpClient HTTP = Http11.client();

    private static RunningPipeline pipeline;
    private static RelayData data;

    @BeforeAll
    static void start() {
        data = new RelayData(DB.db());
        pipeline = RunningPipeline.start(DB.db(), "metrics-test");
    }

    @AfterAll
    static void stop() {
        pipeline.close();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(pipeline.managementUrl(path))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static List<Sample> scrape() throws Exception {
        HttpResponse<String> response = get("/observe/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/plain").contains("version=0.0.4"));
        return PrometheusText.parse(response.body());
    }

    private static double value(List<Sample> samples, String name, Map<String, String> labels) {
        List<Sample> matching = samples.stream().filter(s -> s.name().equals(name)
                && s.labels().entrySet().containsAll(labels.entrySet())).toList();
        assertThat(matching).as("%s%s in the scrape", name, labels).hasSize(1);
        return matching.get(0).value();
    }

    @Test
    void countersAfterThreeDeliveredTwoDeadOneHeldAndOneUnregisteredEventAreExact() throws Exception {
        SINK.stub(post(urlEqualTo("/ok")).willReturn(aResponse().withStatus(204)));
        SINK.stub(post(urlEqualTo("/down")).willReturn(aResponse().withStatus(503)));
        data.registerType("test.metrics.ok", "live").registerType("test.metrics.down", "live")
                .registerType("test.metrics.internal", "delayed")
                .route("metrics-ok", "test.metrics.ok", SINK.url("/ok"))
                .route("metrics-down", "test.metrics.down", SINK.url("/down"), Map.of("max_attempts", 2))
                .openGates(false, "metrics-ok", "metrics-down");
        List<UUID> delivered = List.of(data.event("test.metrics.ok", "a-1", "{}"),
                data.event("test.metrics.ok", "a-2", "{}"), data.event("test.metrics.ok", "a-3", "{}"));
        List<UUID> dead = List.of(data.event("test.metrics.down", "b-1", "{}"), data.event("test.metrics.down", "b-2", "{}"));
        UUID held = data.event("test.metrics.internal", "c-1", "{}");
        UUID unregistered = data.event("test.metrics.nobody-registered-this", "d-1", "{}");

        await().atMost(WAIT).until(() -> delivered.stream().allMatch(e -> "delivered".equals(data.deliveryStatus(e, "metrics-ok")))
                && dead.stream().allMatch(e -> "dead".equals(data.deliveryStatus(e, "metrics-down")))
                && "held".equals(data.status(held)) && "dead".equals(data.status(unregistered)));

        List<Sample> samples = scrape();
        assertThat(value(samples, "iu_events_dispatched_total", Map.of("event_type", "test.metrics.ok"))).isEqualTo(3);
        assertThat(value(samples, "iu_events_dispatched_total", Map.of("event_type", "test.metrics.down"))).isEqualTo(2);
        assertThat(value(samples, "iu_events_held_total", Map.of("event_type", "test.metrics.internal"))).isEqualTo(1);
        assertThat(value(samples, "iu_events_dead_lettered_total", Map.of("reason", "unregistered_type"))).isEqualTo(1);
        assertThat(value(samples, "iu_deliveries_total", Map.of("route", "metrics-ok", "outcome", "delivered"))).isEqualTo(3);
        assertThat(value(samples, "iu_deliveries_total", Map.of("route", "metrics-down", "outcome", "retrying"))).isEqualTo(2);
        assertThat(value(samples, "iu_deliveries_total", Map.of("route", "metrics-down", "outcome", "dead"))).isEqualTo(2);
        assertThat(samples).noneMatch(s -> s.name().equals("iu_deliveries_total")
                && s.labels().equals(Map.of("route", "metrics-ok", "outcome", "dead")));
        assertThat(value(samples, "iu_delivery_latency_seconds_count", Map.of("route", "metrics-ok"))).isEqualTo(3);
        assertThat(value(samples, "iu_delivery_latency_seconds_count", Map.of("route", "metrics-down"))).isEqualTo(4);
        assertThat(value(samples, "iu_delivery_latency_seconds_bucket", Map.of("route", "metrics-ok", "le", "+Inf"))).isEqualTo(3);
        // every try finished; the failing route's window halved under it while the healthy one's widened
        assertThat(value(samples, "iu_delivery_in_flight", Map.of("route", "metrics-ok"))).isZero();
        assertThat(value(samples, "iu_delivery_in_flight", Map.of("route", "metrics-down"))).isZero();
        assertThat(value(samples, "iu_delivery_window", Map.of("route", "metrics-down"))).isGreaterThanOrEqualTo(1)
                .isLessThan(value(samples, "iu_delivery_window", Map.of("route", "metrics-ok")));
        // the event types and routes are tags; the unregistered type never is
        assertThat(samples).noneMatch(s -> s.labels().containsValue("test.metrics.nobody-registered-this"));
        // Camel's own route metrics are on, in the same registry; not on the routes entered once per
        // delivery, which the iu_deliveries_total and iu_delivery_latency above count
        assertThat(samples).anyMatch(s -> s.name().startsWith("camel_exchanges") && "outbox-dispatch-batch".equals(s.labels().get("routeId")));
        assertThat(samples).anyMatch(s -> s.name().startsWith("camel_exchanges") && "delivery-claim".equals(s.labels().get("routeId")));
        assertThat(PerDeliveryRoutes.IDS).allMatch(id -> pipeline.camelContext().getRoute(id) != null);
        assertThat(samples).noneMatch(s -> s.name().startsWith("camel_") && s.labels().containsKey("routeId")
                && PerDeliveryRoutes.IDS.contains(s.labels().get("routeId")));
        // per route only (camel.metrics.route-policy-level): the context-wide ones cost a String.format per exchange
        assertThat(samples).noneMatch(s -> s.name().startsWith("camel_exchanges") && "context".equals(s.labels().get("eventType")));
    }

    @Test
    void gaugesShowTheBacklogItsAgeTheGatesAndTheLastRetentionRun() throws Exception {
        data.registerType("test.metrics.waiting", "live").closeGates();
        DB.db().update("""
                INSERT INTO event_outbox (event_type, aggregate_type, aggregate_id, payload, created_at)
                VALUES ('test.metrics.waiting', 'test', 'w-1', '{}', now() - interval '90 seconds'),
                       ('test.metrics.waiting', 'test', 'w-2', '{}', now())""");
        new RetentionRunner(DB.db().runtime()).run("metrics-test", true);

        await().atMost(WAIT).untilAsserted(() -> {
            List<Sample> samples = scrape();
            assertThat(value(samples, "iu_outbox_backlog", Map.of())).isEqualTo(2);
            assertThat(value(samples, "iu_outbox_oldest_pending_age_seconds", Map.of())).isBetween(90.0, 150.0);
            assertThat(value(samples, "iu_gate_open", Map.of("gate", "delivery_enabled"))).isZero();
            assertThat(value(samples, "iu_retention_last_run_rows_deleted", Map.of("target", "iu_route_attempt"))).isZero();
            assertThat(value(samples, "iu_stats_age_seconds", Map.of())).isLessThan(5);
        });
        List<Sample> samples = scrape();
        assertThat(samples.stream().filter(s -> s.name().equals("iu_gate_open"))).hasSize(11);
        assertThat(samples.stream().filter(s -> s.name().equals("iu_retention_last_run_rows_eligible"))
                .map(s -> s.labels().get("target"))).hasSize(4);

        data.openGates(false);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(value(scrape(), "iu_gate_open", Map.of("gate", "delivery_enabled"))).isEqualTo(1);
            assertThat(value(scrape(), "iu_outbox_backlog", Map.of())).isZero();
        });
    }

    @Test
    void theBoundaryVerdictOfEachInternalOnlyTypeIsAGaugeThatFallsWhenALayerBreaks() throws Exception {
        String internal = "iu.template.instance_auto_composed";
        await().atMost(WAIT).untilAsserted(() -> {
            List<Sample> samples = scrape();
            assertThat(value(samples, "iu_boundary_holds", Map.of("event_type", internal))).isEqualTo(1);
            assertThat(value(samples, "iu_boundary_layers_holding", Map.of("event_type", internal))).isBetween(2.0, 3.0);
        });
        assertThat(scrape()).filteredOn(s -> s.name().equals("iu_boundary_holds")).as("internal-only types only")
                .extracting(s -> s.labels().get("event_type")).containsExactly(internal);
        DB.db().update("UPDATE event_type_registry SET delivery_lane = 'live' WHERE event_type = ?", internal);
        try {
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(value(scrape(), "iu_boundary_holds", Map.of("event_type", internal))).isZero();
            });
        } finally {
            DB.db().update("UPDATE event_type_registry SET delivery_lane = 'delayed' WHERE event_type = ?", internal);
        }
        await().atMost(WAIT).untilAsserted(() ->
                assertThat(value(scrape(), "iu_boundary_holds", Map.of("event_type", internal))).isEqualTo(1));
    }

    @Test
    void scaleoutInstancesAreCountedThroughThePublicMethod() throws Exception {
        pipeline.service().metrics().scaleoutInstancesCreated(20);
        pipeline.service().metrics().scaleoutInstancesCreated(5);
        assertThat(value(scrape(), "iu_scaleout_instances_total", Map.of())).isEqualTo(25);
    }

    @Test
    void everyMetricTheAlertRulesUseIsInTheScrape() throws Exception {
        // traffic of its own, so every series the rules use exists whichever tests ran before: a delivery,
        // a dead letter at dispatch (a disabled type: the first test counts the unregistered ones), a retention run
        SINK.stub(post(urlEqualTo("/alerts")).willReturn(aResponse().withStatus(204)));
        data.registerType("test.metrics.alerts", "live").route("metrics-alerts", "test.metrics.alerts", SINK.url("/alerts"))
                .openGates(false, "metrics-alerts");
        DB.db().update("""
                INSERT INTO event_type_registry (event_type, delivery_lane, description, enabled)
                VALUES ('test.metrics.retired', 'live', 'test type', false)""");
        UUID sent = data.event("test.metrics.alerts", "e-1", "{}");
        UUID retired = data.event("test.metrics.retired", "e-2", "{}");
        new RetentionRunner(DB.db().runtime()).run("metrics-test", true);
        await().atMost(WAIT).until(() -> "delivered".equals(data.deliveryStatus(sent, "metrics-alerts"))
                && "dead".equals(data.status(retired)));

        List<String> used = new ArrayList<>();
        Matcher rules = Pattern.compile("\\biu_[a-z_]+").matcher(Files.readString(Path.of("deploy", "prometheus", "iu-core-alerts.yml")));
        while (rules.find()) {
            used.add(rules.group());
        }
        assertThat(used).hasSizeGreaterThan(10);
        await().atMost(WAIT).untilAsserted(() -> {
            Set<String> scraped = scrape().stream().map(Sample::name).collect(Collectors.toSet());
            assertThat(scraped).containsAll(used);
        });
    }
}
