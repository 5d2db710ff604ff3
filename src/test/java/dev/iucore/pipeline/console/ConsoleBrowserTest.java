package dev.iucore.pipeline.console;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.api.ApiFixture;
import dev.iucore.pipeline.testing.HttpSink;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.RunningPipeline;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The console in a real headless Chromium, on the real service: the relay delivers to a local
 * receiver while an operator (alice) and a viewer (victor) use the pages. Each test asserts what
 * the page says and what the database holds. Routes: {@code ok-hook} and {@code ping-hook}
 * answer 200, {@code broken-hook} always 422 (a route needing attention), {@code flaky-hook} 422
 * until a test mends it.
 */
class ConsoleBrowserTest {

    @RegisterExtension
    static final ApiFixture CONSOLE = new ApiFixture();

    @RegisterExtension
    static final HttpSink SINK = new HttpSink();

    @RegisterExtension
    static final Chromium BROWSER = new Chromium(CONSOLE);

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static RunningPipeline pipeline;
    private static RelayData data;
    private static long brokenLetter;

    @BeforeAll
    static void eventsThroughTheRelay() {
        data = new RelayData(CONSOLE.db());
        SINK.stub(post(urlEqualTo("/ok")).willReturn(aResponse().withStatus(200)));
        // markup in what a receiver answers must reach the page as text
        SINK.stub(post(urlEqualTo("/broken")).willReturn(aResponse().withStatus(422).withBody("<b>missing</b> field")));
        SINK.stub(post(urlEqualTo("/flaky")).willReturn(aResponse().withStatus(422)));
        data.registerType("test.console.order", "live").registerType("test.console.ping", "live")
                .registerType("test.console.flaky", "live")
                .route("ok-hook", "test.console.order", SINK.url("/ok"))
                .route("broken-hook", "test.console.order", SINK.url("/broken"))
                .route("ping-hook", "test.console.ping", SINK.url("/ok"))
                .route("flaky-hook", "test.console.flaky", SINK.url("/flaky"));
        data.openGates(false, "ok-hook", "broken-hook", "ping-hook", "flaky-hook");
        pipeline = RunningPipeline.start(CONSOLE.db(), "console-test");
        UUID order = data.event("test.console.order", "order-1", "{\"order\": 1}");
        await().atMost(WAIT).until(() -> "dead".equals(data.deliveryStatus(order, "broken-hook"))
                && "delivered".equals(data.deliveryStatus(order, "ok-hook")));
        brokenLetter = CONSOLE.db().queryLong("SELECT id FROM iu_route_dead_letter WHERE event_id = ?", order);
    }

    @AfterAll
    static void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void theOverviewShowsAnEventDeliveredToTheReceiverWithoutReloading() {
        BROWSER.signIn(ApiFixture.OPERATOR);
        long before = Long.parseLong(BROWSER.text("delivered-hour"));
        BROWSER.driver().executeScript("window.iuSamePage = true;");
        int received = SINK.received("/ok").size();

        UUID ping = data.event("test.console.ping", "ping-1", "{\"ping\": 1}");
        BROWSER.waiting().until(d -> Long.parseLong(BROWSER.text("delivered-hour")) > before);

        assertThat(BROWSER.driver().executeScript("return window.iuSamePage === true")).as("not reloaded").isEqualTo(true);
        assertThat(data.deliveryStatus(ping, "ping-hook")).isEqualTo("delivered");
        assertThat(SINK.received("/ok")).hasSize(received + 1);
        assertThat(BROWSER.driver().findElements(By.cssSelector("#throughput-chart canvas"))).isNotEmpty();
        assertThat(BROWSER.text("throughput-chart")).contains("delivered").contains("retried").contains("dead-lettered");
        assertThat(BROWSER.text("attention")).contains("broken-hook");
        assertThat(BROWSER.text("gates").toLowerCase(Locale.ROOT)).contains("delivery_enabled open");
        BROWSER.screenshot("overview");
    }

    @Test
    void aRoutesPageShowsItsAttemptsWithStatusLatencyAndError() {
        BROWSER.signIn(ApiFixture.OPERATOR);
        BROWSER.open("/routes");
        WebElement broken = BROWSER.driver().findElement(By.cssSelector("tr[data-route=broken-hook]"));
        assertThat(broken.getText().toLowerCase(Locale.ROOT)).contains("delivering").contains("closed");
        BROWSER.screenshot("routes");

        BROWSER.submit(broken.findElement(By.linkText("broken-hook")));
        BROWSER.waiting().until(d -> !d.findElements(By.id("attempts")).isEmpty());
        // state words are shown in capitals (CSS), which is the text a user reads
        String attempts = BROWSER.text("attempts").toLowerCase(Locale.ROOT);
        assertThat(attempts).contains("permanent_failure").contains("422").contains("http 422: <b>missing</b> field");
        assertThat(BROWSER.driver().findElements(By.cssSelector("#attempts b"))).as("no markup from a receiver").isEmpty();
        assertThat(BROWSER.driver().findElements(By.cssSelector("#latency-chart canvas"))).isNotEmpty();
        BROWSER.screenshot("route");
    }

    @Test
    void aRouteWithADisallowedSchemeIsRefusedOnTheForm() {
        BROWSER.signIn(ApiFixture.OPERATOR);
        BROWSER.open("/routes");
        BROWSER.submit(By.id("add-route"));
        BROWSER.driver().findElement(By.name("route_key")).sendKeys("ftp-hook");
        BROWSER.driver().findElement(By.name("event_type")).sendKeys("test.console.order");
        new Select(BROWSER.driver().findElement(By.name("target_kind"))).selectByValue("webhook");
        BROWSER.driver().findElement(By.name("target")).sendKeys("ftp://127.0.0.1/drop");
        BROWSER.driver().findElement(By.name("reason")).sendKeys("a receiver that only speaks ftp");
        BROWSER.submit(By.id("save-route"));

        BROWSER.waiting().until(d -> !d.findElements(By.id("form-error")).isEmpty());
        assertThat(BROWSER.text("form-error"))
                .isEqualTo("target scheme of \"ftp://127.0.0.1/drop\" is not one of [http, https, kafka, log]");
        assertThat(BROWSER.driver().findElement(By.name("target")).getAttribute("value")).isEqualTo("ftp://127.0.0.1/drop");
        assertThat(CONSOLE.db().queryLong("SELECT count(*) FROM iu_outbound_route WHERE route_key = 'ftp-hook'")).isZero();
        BROWSER.screenshot("route-form");
    }

    @Test
    void aRouteAddedWithTheFormIsAuditedThenDisabledAndEditedKeepingItsTarget() {
        String target = "https://203.0.113.20/hooks?token=s3cr3t";
        BROWSER.signIn(ApiFixture.OPERATOR);
        BROWSER.open("/routes/new");
        BROWSER.driver().findElement(By.name("route_key")).sendKeys("console-hook");
        BROWSER.driver().findElement(By.name("event_type")).sendKeys("test.console.order");
        BROWSER.driver().findElement(By.name("target")).sendKeys(target);
        BROWSER.driver().findElement(By.name("secret_ref")).sendKeys("IU_WEBHOOK_SECRET_CONSOLE");
        BROWSER.driver().findElement(By.name("reason")).sendKeys("new receiver, change 4711");
        BROWSER.submit(By.id("save-route"));

        assertThat(BROWSER.text("flash")).isEqualTo("Route console-hook added.");
        assertThat(BROWSER.text("route-key")).isEqualTo("console-hook");
        assertThat(BROWSER.driver().getPageSource()).as("a credential in the target stays masked").doesNotContain("s3cr3t");
        assertThat(CONSOLE.db().query("""
                SELECT event_type, target_uri, secret_ref, enabled FROM iu_outbound_route WHERE route_key = 'console-hook'"""))
                .singleElement().satisfies(row -> assertThat(row).containsEntry("event_type", "test.console.order")
                        .containsEntry("target_uri", target).containsEntry("secret_ref", "IU_WEBHOOK_SECRET_CONSOLE")
                        .containsEntry("enabled", true));
        assertThat(CONSOLE.db().query("""
                SELECT operation, actor, reason FROM iu_core_control_audit WHERE row_key = 'console-hook' ORDER BY id DESC LIMIT 1""")
                .get(0)).containsEntry("operation", "INSERT").containsEntry("actor", "alice")
                .containsEntry("reason", "new receiver, change 4711");
        assertThat(CONSOLE.db().query("""
                SELECT actor, outcome FROM iu_command_log WHERE command_name = 'routes add' ORDER BY id DESC LIMIT 1""")
                .get(0)).containsEntry("actor", "alice").containsEntry("outcome", "ok");

        BROWSER.driver().findElement(By.cssSelector("form[action$='/disable'] input[name=reason]")).sendKeys("receiver down");
        BROWSER.submit(By.cssSelector("form[action$='/disable'] button"));
        assertThat(BROWSER.text("flash")).isEqualTo("Route console-hook disabled.");
        assertThat(BROWSER.text("route").toLowerCase(Locale.ROOT)).contains("disabled");
        assertThat(CONSOLE.db().queryValue("SELECT enabled FROM iu_outbound_route WHERE route_key = 'console-hook'"))
                .isEqualTo(false);

        BROWSER.submit(By.id("edit-route"));
        assertThat(BROWSER.driver().findElement(By.name("target")).getAttribute("value")).isEmpty();
        BROWSER.driver().findElement(By.name("read_timeout_ms")).sendKeys("4000");
        BROWSER.driver().findElement(By.name("reason")).sendKeys("slow receiver");
        BROWSER.submit(By.id("save-route"));
        assertThat(BROWSER.text("flash")).isEqualTo("Route console-hook saved.");
        assertThat(CONSOLE.db().query("""
                SELECT target_uri, read_timeout_ms, enabled FROM iu_outbound_route WHERE route_key = 'console-hook'"""))
                .singleElement().satisfies(row -> assertThat(row).containsEntry("target_uri", target)
                        .containsEntry("read_timeout_ms", 4000).containsEntry("enabled", false));
    }

    @Test
    void theRouteFormSetsBackoffCircuitOrderAndRateAndAnEditKeepsWhatIsLeftEmpty() {
        RelayData routes = new RelayData(CONSOLE.db());
        BROWSER.signIn(ApiFixture.OPERATOR);
        BROWSER.open("/routes/new");
        BROWSER.driver().findElement(By.name("route_key")).sendKeys("tuned-log");
        BROWSER.driver().findElement(By.name("event_type")).sendKeys("test.console.order");
        new Select(BROWSER.driver().findElement(By.name("target_kind"))).selectByValue("log");
        BROWSER.driver().findElement(By.name("target")).sendKeys("log:tuned");
        Map.of("backoff_initial_ms", "250", "backoff_factor", "1.5", "backoff_max_ms", "20000",
                "circuit_failure_threshold", "2", "circuit_open_ms", "7000", "rate_limit_per_second", "3")
                .forEach((field, value) -> BROWSER.driver().findElement(By.name(field)).sendKeys(value));
        BROWSER.driver().findElement(By.name("ordered")).click();
        BROWSER.driver().findElement(By.name("reason")).sendKeys("a tuned route, change 4740");
        BROWSER.submit(By.id("save-route"));
        assertThat(BROWSER.text("flash")).isEqualTo("Route tuned-log added.");
        assertThat(routes.tuning("tuned-log")).isEqualTo("250 1.5 20000 true 2 7000 3");
        assertThat(CONSOLE.db().queryValue("""
                SELECT arguments::text FROM iu_command_log WHERE command_name = 'routes add' ORDER BY id DESC LIMIT 1"""))
                .asString().contains("--circuit-open-ms=7000").contains("--ordered=true");

        BROWSER.submit(By.id("edit-route"));
        assertThat(BROWSER.driver().findElement(By.name("ordered")).isSelected()).isTrue();
        assertThat(BROWSER.driver().findElement(By.name("circuit_failure_threshold")).getAttribute("value")).isEqualTo("2");
        BROWSER.driver().findElement(By.name("backoff_max_ms")).sendKeys("100");
        BROWSER.driver().findElement(By.name("reason")).sendKeys("shorter waits");
        BROWSER.submit(By.id("save-route"));
        // the longest wait below the first: refused by the table's own check, shown on the form, nothing changed
        assertThat(BROWSER.text("form-error")).isNotBlank();
        assertThat(routes.tuning("tuned-log")).isEqualTo("250 1.5 20000 true 2 7000 3");

        BROWSER.driver().findElement(By.name("backoff_max_ms")).clear();
        BROWSER.driver().findElement(By.name("circuit_open_ms")).sendKeys("9000");
        BROWSER.submit(By.id("save-route"));
        assertThat(BROWSER.text("flash")).isEqualTo("Route tuned-log saved.");
        assertThat(routes.tuning("tuned-log")).isEqualTo("250 1.5 20000 true 2 9000 3");
    }

    @Test
    void anOperatorOpensAGateWithAReasonAndTheAuditRecordsIt() {
        BROWSER.signIn(ApiFixture.OPERATOR);
        changeGate("scaleout_enabled", "console test: scaleout window");
        assertThat(BROWSER.text("flash")).isEqualTo("Gate scaleout_enabled opened.");
        assertThat(CONSOLE.db().query("""
                SELECT actor, reason, old_value, new_value FROM iu_core_gate_audit
                 WHERE gate_name = 'scaleout_enabled' ORDER BY id DESC LIMIT 1""").get(0))
                .containsEntry("actor", "alice").containsEntry("reason", "console test: scaleout window")
                .containsEntry("old_value", "false").containsEntry("new_value", "true");
        assertThat(CONSOLE.db().query("""
                SELECT actor, outcome FROM iu_command_log WHERE command_name = 'gates open' ORDER BY id DESC LIMIT 1""")
                .get(0)).containsEntry("actor", "alice").containsEntry("outcome", "ok");
        assertThat(BROWSER.text("audit")).contains("console test: scaleout window");
        BROWSER.screenshot("gates");

        changeGate("scaleout_enabled", "window over");
        assertThat(CONSOLE.db().queryValue("SELECT gate_value FROM iu_core_gate WHERE gate_name = 'scaleout_enabled'"))
                .isEqualTo("false");

        // delivery_enabled asks once more; going back leaves it as it was
        changeGate("delivery_enabled", "maintenance");
        assertThat(BROWSER.text("confirm-text")).contains("stops every delivery");
        assertThat(CONSOLE.db().queryValue("SELECT gate_value FROM iu_core_gate WHERE gate_name = 'delivery_enabled'"))
                .isEqualTo("true");
        BROWSER.submit(By.linkText("Cancel"));
        assertThat(CONSOLE.db().queryLong("""
                SELECT count(*) FROM iu_core_gate_audit WHERE gate_name = 'delivery_enabled' AND reason = 'maintenance'"""))
                .isZero();
    }

    @Test
    void aDeadLetterPreviewedThenReplayedFromTheConsoleIsDelivered() {
        UUID event = data.event("test.console.flaky", "flaky-1", "{\"n\": 1}");
        await().atMost(WAIT).until(() -> "dead".equals(data.deliveryStatus(event, "flaky-hook")));
        long letter = CONSOLE.db().queryLong("SELECT id FROM iu_route_dead_letter WHERE event_id = ?", event);
        BROWSER.signIn(ApiFixture.OPERATOR);

        BROWSER.open("/dead-letters?route=flaky-hook");
        assertThat(BROWSER.text("letters")).contains(Long.toString(letter)).containsIgnoringCase("permanent_failure");
        BROWSER.screenshot("dead-letters");
        BROWSER.submit(By.id("bulk-preview"));
        BROWSER.waiting().until(d -> !d.findElements(By.id("preview-count")).isEmpty());
        assertThat(BROWSER.text("preview-count")).startsWith("1 dead letter(s) would be replayed");
        assertThat(CONSOLE.db().queryValue("SELECT replayed_at FROM iu_route_dead_letter WHERE id = ?", letter)).isNull();

        BROWSER.open("/dead-letters/" + letter);
        BROWSER.submit(By.id("replay-button"));
        assertThat(BROWSER.text("flash")).contains("dead_letter_replay_enabled is closed");

        SINK.stub(post(urlEqualTo("/flaky")).willReturn(aResponse().withStatus(200)));
        changeGate("dead_letter_replay_enabled", "receiver fixed");
        try {
            BROWSER.open("/dead-letters/" + letter);
            BROWSER.screenshot("dead-letter");
            BROWSER.submit(By.id("replay-button"));
            assertThat(BROWSER.text("flash")).isEqualTo("Dead letter " + letter + ": replayed 1 (a new delivery is on its way).");
            assertThat(CONSOLE.db().queryValue("SELECT replayed_by FROM iu_route_dead_letter WHERE id = ?", letter))
                    .isEqualTo("alice");
            await().atMost(WAIT).until(() -> CONSOLE.db().queryLong("""
                    SELECT count(*) FROM iu_route_delivery WHERE event_id = ? AND status = 'delivered'""", event) == 1);
            BROWSER.open("/dead-letters/" + letter);
            assertThat(BROWSER.text("letter-status")).isEqualToIgnoringCase("replayed");
        } finally {
            changeGate("dead_letter_replay_enabled", "replayed");
        }
    }

    @Test
    void aRetentionDryRunWithEvidenceIsLoggedAndItsEvidenceReportRendered() {
        BROWSER.signIn(ApiFixture.OPERATOR);
        BROWSER.open("/batches");
        BROWSER.driver().findElement(By.cssSelector("#retention input[name=evidence]")).click();
        BROWSER.submit(By.id("retention-dry-run"));
        BROWSER.waiting().until(d -> !d.findElements(By.id("result")).isEmpty());
        assertThat(CONSOLE.db().query("""
                SELECT actor, dry_run, outcome FROM iu_command_log WHERE command_name = 'retention' ORDER BY id DESC LIMIT 1""")
                .get(0)).containsEntry("actor", "alice").containsEntry("dry_run", true).containsEntry("outcome", "ok");
        String runId = (String) CONSOLE.db().queryValue("""
                SELECT run_id::text FROM iu_core_batch_run WHERE kind = 'retention' AND actor = 'alice' AND dry_run
                 ORDER BY started_at DESC LIMIT 1""");
        assertThat(BROWSER.text("result")).startsWith("Retention dry run").contains("\"evidence_run_id\" : \"" + runId);
        assertThat(BROWSER.text("runs")).contains(runId);
        BROWSER.screenshot("batches");

        BROWSER.submit(By.linkText(runId));
        BROWSER.waiting().until(d -> !d.findElements(By.id("report")).isEmpty());
        assertThat(BROWSER.text("report")).contains(runId).contains("retention");
        assertThat(BROWSER.text("verdict").toLowerCase(Locale.ROOT)).isIn("holds", "does not hold");
        assertThat(CONSOLE.db().queryValue("""
                SELECT actor FROM iu_command_log WHERE command_name = 'evidence' ORDER BY id DESC LIMIT 1"""))
                .isEqualTo("alice");
        BROWSER.screenshot("evidence");
    }

    @Test
    void aRetentionRunStartsInTheBackgroundAndItsPageShowsItsPhaseAndOutcome() {
        BROWSER.signIn(ApiFixture.OPERATOR);
        changeGate("retention_enabled", "retention from the console");
        assertThat(gateOpen("retention_enabled")).isTrue();
        try {
            BROWSER.open("/batches");
            BROWSER.submit(By.id("retention-run"));
            assertThat(BROWSER.driver().getCurrentUrl()).contains("/batches/runs/");
            String runId = BROWSER.driver().getCurrentUrl().replaceAll(".*/batches/runs/", "");
            assertThat(BROWSER.text("flash")).contains("Retention run started");
            assertThat(BROWSER.text("run-phase")).isIn("matrix before", "apply", "matrix after", "done");
            // the page polls its run: it ends without a reload
            BROWSER.waiting().until(d -> "ok".equalsIgnoreCase(BROWSER.text("run-outcome")));
            assertThat(BROWSER.text("run-phase")).isEqualTo("done");
            assertThat(BROWSER.text("run-phases")).contains("matrix before", "apply", "matrix after", "done");
            // no retention policy is enabled here: nothing was eligible
            assertThat(BROWSER.text("run-progress")).contains("0 of 0 rows");
            assertThat(BROWSER.text("report")).contains(runId);
            assertThat(CONSOLE.db().query("""
                    SELECT actor, dry_run, outcome, phase FROM iu_core_batch_run WHERE run_id = ?::uuid""", runId).get(0))
                    .containsEntry("actor", "alice").containsEntry("dry_run", false).containsEntry("outcome", "ok")
                    .containsEntry("phase", "done");
            await().atMost(WAIT).until(() -> CONSOLE.db().queryLong("""
                    SELECT count(*) FROM iu_command_log WHERE command_name = 'retention' AND actor = 'alice'
                       AND NOT dry_run AND outcome = 'ok'""") == 1);
            BROWSER.screenshot("batch-run");
        } finally {
            changeGate("retention_enabled", "retention done");
        }
    }

    @Test
    void anOperatorRegistersAnEventTypeWithTheFormAndChangesIt() {
        BROWSER.signIn(ApiFixture.OPERATOR);
        BROWSER.open("/event-types");
        assertThat(BROWSER.text("event-types")).contains("test.console.order");
        BROWSER.submit(By.id("register-type"));
        BROWSER.driver().findElement(By.name("event_type")).sendKeys("Not A Type");
        new Select(BROWSER.driver().findElement(By.name("delivery_lane"))).selectByValue("delayed");
        BROWSER.driver().findElement(By.name("description")).sendKeys("An invoice was sent.");
        BROWSER.driver().findElement(By.name("reason")).sendKeys("billing, change 4730");
        BROWSER.submit(By.id("save-type"));
        assertThat(BROWSER.text("form-error")).contains("is not an event type name");

        WebElement name = BROWSER.driver().findElement(By.name("event_type"));
        name.clear();
        name.sendKeys("test.console.invoice");
        BROWSER.submit(By.id("save-type"));
        assertThat(BROWSER.text("flash")).isEqualTo("Event type test.console.invoice registered.");
        WebElement row = BROWSER.driver().findElement(By.cssSelector("tr[data-type='test.console.invoice']"));
        assertThat(row.getText()).contains("delayed").contains("An invoice was sent.");
        assertThat(CONSOLE.db().query("""
                SELECT actor, reason FROM iu_core_control_audit WHERE row_key = 'test.console.invoice' AND operation = 'INSERT'"""))
                .singleElement().satisfies(audit -> assertThat(audit).containsEntry("actor", "alice")
                        .containsEntry("reason", "billing, change 4730"));
        assertThat(CONSOLE.db().queryLong("""
                SELECT count(*) FROM iu_command_log WHERE command_name = 'event-types register' AND actor = 'alice'
                   AND outcome = 'ok'""")).isEqualTo(1);

        BROWSER.submit(row.findElement(By.linkText("Edit")));
        BROWSER.driver().findElement(By.name("internal_only")).click();
        BROWSER.driver().findElement(By.name("reason")).sendKeys("never leaves the core");
        BROWSER.submit(By.id("save-type"));
        assertThat(BROWSER.text("flash")).isEqualTo("Event type test.console.invoice saved.");
        assertThat(CONSOLE.db().queryValue("SELECT internal_only FROM event_type_registry WHERE event_type = ?",
                "test.console.invoice")).isEqualTo(true);
        assertThat(BROWSER.driver().findElement(By.cssSelector("tr[data-type='test.console.invoice'] .boundary")).getText()
                .toLowerCase(Locale.ROOT)).isIn("holds", "does not hold");
        assertThat(CONSOLE.db().queryValue("""
                SELECT actor FROM iu_command_log WHERE command_name = 'event-types set' ORDER BY id DESC LIMIT 1"""))
                .isEqualTo("alice");
        BROWSER.screenshot("event-types");
    }

    private static boolean gateOpen(String gate) {
        return Boolean.TRUE.equals(CONSOLE.db().queryValue("SELECT fn_iu_core_gate_open(?)", gate));
    }

    @Test
    void aViewerSeesNoControlThatChangesAnythingAndNoSecret() {
        BROWSER.driver().manage().deleteAllCookies();
        BROWSER.open("/gates");
        assertThat(BROWSER.driver().getCurrentUrl()).endsWith("/login");

        BROWSER.signIn(ApiFixture.VIEWER);
        for (String page : List.of("/", "/routes", "/routes/broken-hook", "/dead-letters", "/dead-letters/" + brokenLetter,
                "/gates", "/batches", "/event-types")) {
            BROWSER.open(page);
            assertThat(BROWSER.driver().findElements(By.cssSelector(".mutating"))).as(page).isEmpty();
            assertThat(BROWSER.driver().findElements(By.cssSelector("form[method=post]")))
                    .as("only the sign-out form on %s", page)
                    .allSatisfy(form -> assertThat(form.getAttribute("action")).endsWith("/logout"));
            assertThat(BROWSER.driver().getPageSource()).as(page).doesNotContain(ApiFixture.PASSWORD);
        }
        BROWSER.open("/routes/new");
        assertThat(BROWSER.text("error")).contains("victor has role viewer");
        BROWSER.open("/event-types/new");
        assertThat(BROWSER.text("error")).contains("victor has role viewer");
    }

    /** Opens or closes a gate with the form on the gates page, whichever it offers. */
    private static void changeGate(String gate, String reason) {
        BROWSER.open("/gates");
        // the row typed into again if the page was still settling (seen once under load: the row's node
        // left the document between finding it and typing); the form is submitted once
        WebElement button = BROWSER.waiting().ignoring(WebDriverException.class).until(d -> {
            WebElement row = d.findElement(By.cssSelector("tr[data-gate=" + gate + "]"));
            WebElement field = row.findElement(By.name("reason"));
            field.clear();
            field.sendKeys(reason);
            return row.findElement(By.cssSelector("button[type=submit]"));
        });
        BROWSER.submit(button);
    }
}
