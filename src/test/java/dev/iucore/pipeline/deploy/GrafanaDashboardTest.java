package dev.iucore.pipeline.deploy;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.iucore.pipeline.retention.RetentionRunner;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.Http11;
import dev.iucore.pipeline.testing.HttpSink;
import dev.iucore.pipeline.testing.PrometheusText;
import dev.iucore.pipeline.testing.PrometheusText.Sample;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.RunningPipeline;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code deploy/grafana/iu-core-dashboard.json}: every PromQL query in it (panels and template
 * variables) names only metrics the running service exports, checked against a live scrape of
 * {@code /observe/metrics} after traffic that makes every series exist, so a renamed metric or a
 * typo fails here and not on an operator's empty panel.
 */
class GrafanaDashboardTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @RegisterExtension
    static final HttpSink SINK = new HttpSink();

    private static final Path DASHBOARD = Path.of("deploy", "grafana", "iu-core-dashboard.json");
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final HttpClient HTTP = Http11.client();

    /** PromQL's keywords, which stand where a metric name could: not metrics. */
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without", "on",
            "ignoring", "group_left", "group_right", "inf", "nan", "atan2");
    private static final Pattern GRAFANA_VARIABLE = Pattern.compile("\\$\\{[^}]*}|\\$\\w+");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
    private static final Pattern GROUPING = Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    /** An identifier not glued to a number (1e3, 5m) and not called (a function or aggregation). */
    private static final Pattern NAME = Pattern.compile("(?<![\\w.:])([a-zA-Z_:][a-zA-Z0-9_:]*+)(?!\\s*\\()");
    private static final Pattern LABEL_VALUES = Pattern.compile("^\\s*label_values\\((.+),\\s*\\w+\\s*\\)\\s*$");

    private static RunningPipeline pipeline;

    @BeforeAll
    static void start() {
        pipeline = RunningPipeline.start(DB.db(), "dashboard-test");
    }

    @AfterAll
    static void stop() {
        pipeline.close();
    }

    /** The metric names a PromQL expression selects: what is left once strings, matchers, ranges, groupings and calls are gone. */
    static Set<String> metricNames(String promql) {
        Matcher labelValues = LABEL_VALUES.matcher(promql);
        String expr = labelValues.matches() ? labelValues.group(1) : promql;
        expr = GRAFANA_VARIABLE.matcher(expr).replaceAll(" ");
        expr = STRING.matcher(expr).replaceAll(" ");
        expr = MATCHERS.matcher(expr).replaceAll(" ");
        expr = RANGE.matcher(expr).replaceAll(" ");
        expr = GROUPING.matcher(expr).replaceAll(" ");
        Set<String> names = new LinkedHashSet<>();
        Matcher name = NAME.matcher(expr);
        while (name.find()) {
            if (!KEYWORDS.contains(name.group(1).toLowerCase())) {
                names.add(name.group(1));
            }
        }
        return names;
    }

    /** Every query of the dashboard, by where it is: panel targets (in rows too) and query variables. */
    private static Map<String, String> queries(JsonNode dashboard) {
        Map<String, String> queries = new LinkedHashMap<>();
        List<JsonNode> panels = new ArrayList<>();
        dashboard.get("panels").forEach(panels::add);
        dashboard.get("panels").forEach(panel -> panel.path("panels").forEach(panels::add));
        for (JsonNode panel : panels) {
            panel.path("targets").forEach(target -> queries.put(
                    "panel \"" + panel.get("title").asText() + "\" " + target.get("refId").asText(), target.get("expr").asText()));
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("type").asText().equals("query")) {
                JsonNode query = variable.get("query");
                queries.put("variable $" + variable.get("name").asText(),
                        query.isObject() ? query.get("query").asText() : query.asText());
            }
        }
        return queries;
    }

    private static Set<String> scrapedNames() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                URI.create(pipeline.managementUrl("/observe/metrics"))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return PrometheusText.parse(response.body()).stream().map(Sample::name).collect(Collectors.toSet());
    }

    @Test
    void theQueryReaderFindsTheMetricsOfAQueryAndNothingElse() {
        assertThat(metricNames("histogram_quantile(0.99, sum by (route, le) (rate(iu_delivery_latency_seconds_bucket"
                + "{route=~\"$route\", outcome!='dead'}[$__rate_interval])))")).containsExactly("iu_delivery_latency_seconds_bucket");
        assertThat(metricNames("sum by (route) (rate(a_total[5m])) / on (route) group_left sum(b_count offset 1h) > bool 1e3"))
                .containsExactly("a_total", "b_count");
        assertThat(metricNames("time() - max by (target) (iu_retention_last_run_finished_seconds)"))
                .containsExactly("iu_retention_last_run_finished_seconds");
        assertThat(metricNames("label_values(iu_deliveries_total{route!=\"\"}, route)")).containsExactly("iu_deliveries_total");
        assertThat(metricNames("up{job=\"iu-core\"} == 0 and max(iu_outbox_backlogg)")).containsExactly("up", "iu_outbox_backlogg");
    }

    @Test
    void everyQueryOfTheDashboardNamesOnlyMetricsTheServiceExports() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(Files.readString(DASHBOARD));
        assertThat(dashboard.get("uid").asText()).isEqualTo("iu-core-pipeline");
        Map<String, String> queries = queries(dashboard);
        assertThat(queries).hasSizeGreaterThan(25);
        queries.forEach((where, query) -> assertThat(metricNames(query)).as("%s: %s names a metric", where, query).isNotEmpty());
        // what the issue asks the dashboard to show, each by at least one query
        Set<String> used = queries.values().stream().flatMap(query -> metricNames(query).stream()).collect(Collectors.toSet());
        assertThat(used).contains("iu_outbox_backlog", "iu_outbox_oldest_pending_age_seconds", "iu_deliveries_total",
                "iu_delivery_latency_seconds_bucket", "iu_dead_letters_open", "iu_circuits_open", "iu_gate_open",
                "camel_exchanges_total");

        traffic();
        await().atMost(WAIT).untilAsserted(() -> {
            Set<String> scraped = scrapedNames();
            queries.forEach((where, query) -> assertThat(scraped).as("%s: %s", where, query).containsAll(metricNames(query)));
        });
    }

    /**
     * Traffic that makes every series the dashboard reads exist: a delivery tried twice (a retry, then
     * delivered), one that goes dead, a held event, a skipped route, a type dead-lettered at dispatch,
     * a retention run.
     */
    private void traffic() throws Exception {
        RelayData data = new RelayData(DB.db());
        SINK.stub(post(urlEqualTo("/dash-flaky")).inScenario("dash").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
        SINK.stub(post(urlEqualTo("/dash-flaky")).inScenario("dash").whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(204)));
        SINK.stub(post(urlEqualTo("/dash-down")).willReturn(aResponse().withStatus(503)));
        data.registerType("test.dash.flaky", "live").registerType("test.dash.down", "live")
                .registerType("test.dash.skipped", "live").registerType("test.dash.later", "delayed")
                .route("dash-flaky", "test.dash.flaky", SINK.url("/dash-flaky"))
                .route("dash-down", "test.dash.down", SINK.url("/dash-down"), Map.of("max_attempts", 1))
                .route("dash-not-live", "test.dash.skipped", SINK.url("/dash-flaky"))
                .openGates(false, "dash-flaky", "dash-down");
        DB.db().update("""
                INSERT INTO event_type_registry (event_type, delivery_lane, description, enabled)
                VALUES ('test.dash.retired', 'live', 'test type', false)""");
        UUID flaky = data.event("test.dash.flaky", "d-1", "{}");
        UUID down = data.event("test.dash.down", "d-2", "{}");
        UUID skipped = data.event("test.dash.skipped", "d-3", "{}");
        UUID held = data.event("test.dash.later", "d-4", "{}");
        UUID retired = data.event("test.dash.retired", "d-5", "{}");
        new RetentionRunner(DB.db().runtime()).run("dashboard-test", true);
        await().atMost(WAIT).until(() -> "delivered".equals(data.deliveryStatus(flaky, "dash-flaky"))
                && "dead".equals(data.deliveryStatus(down, "dash-down")) && "dispatched".equals(data.status(skipped))
                && "held".equals(data.status(held)) && "dead".equals(data.status(retired)));
    }
}
