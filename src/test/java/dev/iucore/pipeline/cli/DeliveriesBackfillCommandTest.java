package dev.iucore.pipeline.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.iucore.pipeline.testing.Cli;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.HttpSink;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.RunningPipeline;
import dev.iucore.pipeline.testing.TestDb;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * deliveries backfill: events the real relay dispatched while a route was not allowed get that
 * route's delivery afterwards, once, and a real local receiver gets them; a route not allowed now is
 * refused with nothing created. Each test has its own event type and routes.
 */
class DeliveriesBackfillCommandTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @RegisterExtension
    static final HttpSink SINK = new HttpSink();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern CREATED = Pattern.compile("(?m)^(\\d+) deliveries created");

    private static RunningPipeline pipeline;
    private static RelayData data;

    @BeforeAll
    static void relay() {
        data = new RelayData(DB.db());
        pipeline = RunningPipeline.start(DB.db(), "backfill-test");
    }

    @AfterAll
    static void stop() {
        pipeline.close();
    }

    @BeforeEach
    void replayGateClosed() {
        replayGate(false);
    }

    private static TestDb db() {
        return DB.db();
    }

    private static Cli.Result iuCore(String... args) {
        return Cli.run(db().settings(), args);
    }

    private static void replayGate(boolean open) {
        db().update("UPDATE iu_core_gate SET gate_value = ? WHERE gate_name = 'dead_letter_replay_enabled'",
                Boolean.toString(open));
    }

    /** An event of the type, waited for until the relay dispatched it. */
    private static UUID dispatched(String eventType, String aggregate) {
        UUID event = data.event(eventType, aggregate, "{\"agg\": \"" + aggregate + "\"}");
        await().atMost(WAIT).until(() -> "dispatched".equals(data.status(event)));
        return event;
    }

    /** The database's clock: what dispatched_at is compared with. */
    private static String now() {
        return (String) db().queryValue("SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')");
    }

    private static long deliveries(String route) {
        return db().queryLong("SELECT count(*) FROM iu_route_delivery WHERE route_key = ?", route);
    }

    @Test
    void anUnlistedRoutesSkippedEventsAreBackfilledOnceAndReachTheReceiver() throws Exception {
        SINK.stub(post(urlEqualTo("/listed")).willReturn(aResponse().withStatus(204)));
        SINK.stub(post(urlEqualTo("/late")).willReturn(aResponse().withStatus(204)));
        data.registerType("test.bf.order", "live")
                .route("listed-hook", "test.bf.order", SINK.url("/listed"))
                .route("late-hook", "test.bf.order", SINK.url("/late"))
                .openGates(false, "listed-hook");
        UUID before = dispatched("test.bf.order", "a-0");
        String since = now();
        List<UUID> skipped = List.of(dispatched("test.bf.order", "a-1"), dispatched("test.bf.order", "a-2"),
                dispatched("test.bf.order", "a-3"));
        assertThat(deliveries("late-hook")).as("skipped while unlisted").isZero();
        data.openGates(false, "listed-hook", "late-hook");
        UUID listed = dispatched("test.bf.order", "a-4");
        await().atMost(WAIT).until(() -> "delivered".equals(data.deliveryStatus(listed, "late-hook")));

        JsonNode window = JSON.readTree(iuCore("deliveries", "backfill", "--route", "late-hook", "--since", since,
                "--actor", "ops", "--dry-run", "--json").out());
        assertThat(window.get("would_create").asLong()).isEqualTo(3);
        assertThat(window.get("plan").get("events_dispatched").asLong()).isEqualTo(4);
        assertThat(window.get("plan").get("with_delivery").asLong()).isEqualTo(1);
        JsonNode earlier = JSON.readTree(iuCore("deliveries", "backfill", "--route", "late-hook", "--since",
                "2020-01-01T00:00:00Z", "--until", since, "--actor", "ops", "--dry-run", "--json").out());
        assertThat(earlier.get("would_create").asLong()).as("only the event before the window").isEqualTo(1);
        assertThat(deliveries("late-hook")).as("a dry run creates nothing").isEqualTo(1);

        Cli.Result gated = iuCore("deliveries", "backfill", "--route", "late-hook", "--since", since, "--actor", "ops");
        assertThat(gated.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(gated.err()).contains("gate dead_letter_replay_enabled is closed");
        assertThat(deliveries("late-hook")).isEqualTo(1);

        replayGate(true);
        long logBefore = db().queryLong("SELECT coalesce(max(id), 0) FROM iu_command_log");
        Cli.Result backfilled = iuCore("deliveries", "backfill", "--route", "late-hook", "--since", since, "--actor", "ops-gus");
        assertThat(backfilled.exitCode()).as(backfilled.err()).isZero();
        assertThat(backfilled.out()).contains("4 dispatched, 1 with a delivery of the route, 3 without")
                .contains("3 deliveries created");
        await().atMost(WAIT).until(() -> skipped.stream().allMatch(e -> "delivered".equals(data.deliveryStatus(e, "late-hook"))));
        // at least once: a try that outlives its timeout on a loaded machine is sent again, same webhook-id
        assertThat(SINK.received("/late")).extracting(r -> r.getHeader("webhook-id")).containsOnly(
                "msg_" + listed + "_late-hook", "msg_" + skipped.get(0) + "_late-hook",
                "msg_" + skipped.get(1) + "_late-hook", "msg_" + skipped.get(2) + "_late-hook");
        assertThat(data.delivery(before, "late-hook")).as("dispatched before the window").isEmpty();
        assertThat(db().query("SELECT actor, outcome, row_deltas::text AS deltas FROM iu_command_log"
                + " WHERE command_name = 'deliveries backfill' AND id > ?", logBefore))
                .containsExactly(Map.of("actor", "ops-gus", "outcome", "ok", "deltas", "{\"iu_route_delivery\": 3}"));

        Cli.Result again = iuCore("deliveries", "backfill", "--route", "late-hook", "--since", since, "--actor", "ops-gus");
        assertThat(again.exitCode()).isZero();
        assertThat(again.out()).contains("4 with a delivery of the route, 0 without").contains("0 deliveries created");
        assertThat(db().queryLong("SELECT count(*) FROM iu_route_delivery WHERE route_key = 'late-hook'")).isEqualTo(4);
        assertThat(db().queryLong("SELECT count(*) FROM iu_route_delivery WHERE route_key = 'listed-hook'")).isEqualTo(5);
    }

    @Test
    void aBackfillStopsAtItsLimitAndASecondRunDoesTheRest() {
        SINK.stub(post(urlEqualTo("/limited")).willReturn(aResponse().withStatus(204)));
        data.registerType("test.bf.limit", "live").route("limited-hook", "test.bf.limit", SINK.url("/limited"))
                .openGates(false);
        String since = now();
        for (int i = 0; i < 5; i++) {
            dispatched("test.bf.limit", "l-" + i);
        }
        data.openGates(false, "limited-hook");
        replayGate(true);
        Cli.Result first = iuCore("deliveries", "backfill", "--route", "limited-hook", "--since", since, "--limit", "2",
                "--actor", "ops");
        assertThat(first.out()).contains("2 deliveries created; --limit reached");
        Cli.Result rest = iuCore("deliveries", "backfill", "--route", "limited-hook", "--since", since, "--actor", "ops");
        assertThat(rest.out()).contains("3 deliveries created");
        assertThat(db().queryLong("SELECT count(DISTINCT event_id) FROM iu_route_delivery WHERE route_key = 'limited-hook'"))
                .isEqualTo(5);
        assertThat(deliveries("limited-hook")).isEqualTo(5);
    }

    @Test
    void anSqlRouteSkippedWhileItsGateWasClosedIsBackfilledAsAnSqlDelivery() {
        data.registerType("test.bf.sql", "live");
        db().update("""
                INSERT INTO iu_sql_event_route (route_key, event_type, action)
                VALUES ('bf-sync', 'test.bf.sql', 'fn_iu_action_record_vector_sync')""");
        data.openGates(false);
        String since = now();
        UUID skipped = dispatched("test.bf.sql", "s-1");
        assertThat(deliveries("bf-sync")).isZero();
        data.openGates(true);
        replayGate(true);

        Cli.Result backfilled = iuCore("deliveries", "backfill", "--route", "bf-sync", "--since", since, "--actor", "ops");

        assertThat(backfilled.exitCode()).as(backfilled.err()).isZero();
        assertThat(backfilled.out()).contains("route bf-sync (sql, test.bf.sql)").contains("1 deliveries created");
        assertThat(data.delivery(skipped, "bf-sync")).containsEntry("route_kind", "sql");
        // the relay takes it like any SQL delivery: tried once at least, whatever its action answers
        await().atMost(WAIT).until(() -> data.attempts(skipped, "bf-sync") > 0);
    }

    @Test
    void twoBackfillsAtOnceCreateEachDeliveryOnce() throws Exception {
        SINK.stub(post(urlEqualTo("/race")).willReturn(aResponse().withStatus(204)));
        data.registerType("test.bf.race", "live").route("race-hook", "test.bf.race", SINK.url("/race"))
                .openGates(false);
        String since = now();
        data.events("test.bf.race", 1200);
        await().atMost(WAIT).until(() -> db().queryLong(
                "SELECT count(*) FROM event_outbox WHERE event_type = 'test.bf.race' AND status = 'dispatched'") == 1200);
        data.openGates(false, "race-hook");
        replayGate(true);
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            List<Future<Cli.Result>> runs = List.of(
                    two.submit(() -> iuCore("deliveries", "backfill", "--route", "race-hook", "--since", since, "--actor", "a")),
                    two.submit(() -> iuCore("deliveries", "backfill", "--route", "race-hook", "--since", since, "--actor", "b")));
            long created = 0;
            for (Future<Cli.Result> run : runs) {
                Cli.Result result = run.get();
                assertThat(result.exitCode()).as(result.err()).isZero();
                Matcher count = CREATED.matcher(result.out());
                assertThat(count.find()).as(result.out()).isTrue();
                created += Long.parseLong(count.group(1));
            }
            assertThat(created).as("created by both runs together").isEqualTo(1200);
        } finally {
            two.shutdownNow();
        }
        assertThat(db().queryLong("SELECT count(*) FROM iu_route_delivery WHERE route_key = 'race-hook'")).isEqualTo(1200);
        assertThat(db().queryLong("SELECT count(DISTINCT event_id) FROM iu_route_delivery WHERE route_key = 'race-hook'"))
                .isEqualTo(1200);
    }

    @Test
    void aRouteNotAllowedNowIsRefusedSayingWhyAndNothingIsCreated() {
        data.registerType("test.bf.refused", "live")
                .route("off-hook", "test.bf.refused", SINK.url("/off"), Map.of("enabled", false))
                .route("unlisted-hook", "test.bf.refused", SINK.url("/unlisted"));
        db().update("""
                INSERT INTO iu_sql_event_route (route_key, event_type, action)
                VALUES ('sync-action', 'test.bf.refused', 'fn_iu_action_record_vector_sync')""");
        data.openGates(false);
        String since = now();
        dispatched("test.bf.refused", "r-1");
        replayGate(true);
        long logBefore = db().queryLong("SELECT coalesce(max(id), 0) FROM iu_command_log");

        Map<String, String> refusals = Map.of(
                "off-hook", "route off-hook is disabled: what it skipped meanwhile was skipped on purpose",
                "unlisted-hook", "route unlisted-hook is not listed in gate delivery_live_routes",
                "sync-action", "gate sql_routes_enabled is closed",
                "no-such-route", "no route no-such-route in iu_outbound_route or iu_sql_event_route");
        refusals.forEach((route, why) -> {
            for (boolean dry : new boolean[] {true, false}) {
                Cli.Result refused = dry
                        ? iuCore("deliveries", "backfill", "--route", route, "--since", since, "--actor", "ops", "--dry-run")
                        : iuCore("deliveries", "backfill", "--route", route, "--since", since, "--actor", "ops");
                assertThat(refused.exitCode()).as(route).isEqualTo(ExitCode.FAILED);
                assertThat(refused.err()).as(route).contains(why);
            }
        });
        data.openGates(true, "unlisted-hook");
        db().update("UPDATE iu_core_gate SET gate_value = 'false' WHERE gate_name = 'delivery_enabled'");
        assertThat(iuCore("deliveries", "backfill", "--route", "unlisted-hook", "--since", since, "--actor", "ops").err())
                .contains("gate delivery_enabled is closed");

        assertThat(db().queryLong("""
                SELECT count(*) FROM iu_route_delivery d JOIN event_outbox e ON e.event_id = d.event_id
                 WHERE e.event_type = 'test.bf.refused'""")).isZero();
        assertThat(db().query("SELECT DISTINCT outcome FROM iu_command_log WHERE command_name = 'deliveries backfill' AND id > ?",
                logBefore)).containsExactly(Map.of("outcome", "refused"));
    }

    @Test
    void aMalformedWindowIsAUsageErrorAndChangesNothing() {
        String[][] wrong = {
            {"deliveries", "backfill", "--route", "late-hook", "--actor", "ops"},
            {"deliveries", "backfill", "--since", "2026-01-01T00:00:00Z", "--actor", "ops"},
            {"deliveries", "backfill", "--route", "late-hook", "--since", "yesterday", "--actor", "ops"},
            {"deliveries", "backfill", "--route", "late-hook", "--since", "2026-02-01T00:00:00Z",
                "--until", "2026-01-01T00:00:00Z", "--actor", "ops"},
            {"deliveries", "backfill", "--route", "late-hook", "--since", "2026-01-01T00:00:00Z", "--limit", "0",
                "--actor", "ops"},
        };
        long before = db().count("iu_route_delivery");
        for (String[] args : wrong) {
            Cli.Result result = iuCore(args);
            assertThat(result.exitCode()).as(String.join(" ", args)).isEqualTo(ExitCode.USAGE);
            assertThat(result.err()).as(String.join(" ", args)).isNotBlank();
        }
        assertThat(db().count("iu_route_delivery")).isEqualTo(before);
    }
}
