package dev.iucore.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.iucore.pipeline.testing.Cli;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.TestDb;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code routes add|set|enable|disable}: the row, its control-audit row and the command-log row; a
 * target the relay would refuse is refused here with the relay's words, and nothing is written.
 */
class RouteWriteCommandsTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TYPE = "test.routes.written";

    @BeforeAll
    static void aType() {
        DB.db().update("INSERT INTO event_type_registry (event_type, delivery_lane, description) VALUES (?, 'live', 'test')", TYPE);
    }

    private static Cli.Result cli(String... args) {
        return Cli.run(DB.db().settings(), args);
    }

    private static Cli.Result add(String key, String target, String... more) {
        List<String> args = new ArrayList<>(List.of("routes", "add", key, "--event-type", TYPE, "--target", target,
                "--actor", "alice", "--reason", "change 4711"));
        args.addAll(List.of(more));
        return cli(args.toArray(String[]::new));
    }

    private static Map<String, Object> lastLogged(String command) {
        return DB.db().query("""
                SELECT actor, outcome, exit_code, dry_run, message, row_deltas::text AS row_deltas
                FROM iu_command_log WHERE command_name = ? ORDER BY id DESC LIMIT 1""", command).get(0);
    }

    private static long audits(String key) {
        return DB.db().queryLong("SELECT count(*) FROM iu_core_control_audit WHERE row_key = ?", key);
    }

    @Test
    void addWritesTheRouteItsAuditAndItsLogRow() throws Exception {
        Cli.Result result = add("cli-hook", "https://203.0.113.9/hooks/iu", "--kind", "webhook",
                "--secret-ref", "IU_WEBHOOK_SECRET_CRM", "--read-timeout-ms", "3000", "--json");
        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode route = JSON.readTree(result.out()).path("route");
        assertThat(route.path("route_key").asText()).isEqualTo("cli-hook");
        assertThat(route.path("target").asText()).isEqualTo("https://203.0.113.9/hooks/iu");
        assertThat(route.path("target_kind").asText()).isEqualTo("webhook");
        assertThat(route.path("read_timeout_ms").asInt()).isEqualTo(3000);
        assertThat(DB.db().query("SELECT event_type, target_uri, secret_ref, enabled FROM iu_outbound_route WHERE route_key = 'cli-hook'"))
                .singleElement().satisfies(row -> assertThat(row).containsEntry("event_type", TYPE)
                        .containsEntry("secret_ref", "IU_WEBHOOK_SECRET_CRM").containsEntry("enabled", true));
        assertThat(DB.db().query("SELECT operation, actor, reason FROM iu_core_control_audit WHERE row_key = 'cli-hook'"))
                .singleElement().satisfies(row -> assertThat(row).containsEntry("operation", "INSERT")
                        .containsEntry("actor", "alice").containsEntry("reason", "change 4711"));
        assertThat(lastLogged("routes add")).containsEntry("actor", "alice").containsEntry("outcome", "ok")
                .containsEntry("exit_code", 0).containsEntry("dry_run", false)
                .satisfies(row -> assertThat((String) row.get("row_deltas")).contains("\"iu_outbound_route\": 1")
                        .contains("\"iu_core_control_audit\": 1"));
    }

    @Test
    void aDryRunChecksEverythingAndWritesNothing() {
        Cli.Result result = add("cli-dry", "kafka:orders", "--dry-run");
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("route cli-dry would be added (dry run, nothing written)");
        assertThat(DB.db().queryLong("SELECT count(*) FROM iu_outbound_route WHERE route_key = 'cli-dry'")).isZero();
        assertThat(audits("cli-dry")).isZero();
        assertThat(lastLogged("routes add")).containsEntry("dry_run", true).containsEntry("outcome", "ok");
        Cli.Result refused = add("cli-dry", "ftp://files.example.test/drop", "--dry-run");
        assertThat(refused.exitCode()).isEqualTo(1);
    }

    @Test
    void targetsTheRelayWouldRefuseAreRefusedWithItsWordsAndNothingIsWritten() {
        long routes = DB.db().count("iu_outbound_route");
        long audits = DB.db().count("iu_core_control_audit");
        assertRefused(add("cli-ftp", "ftp://files.example.test/drop"),
                "target scheme of \"ftp://files.example.test/drop\" is not one of [http, https, kafka, log]");
        assertRefused(add("cli-metadata", "http://169.254.169.254/latest/meta-data"),
                "target host 169.254.169.254 resolves to 169.254.169.254, an internal address; list its network in"
                        + " iu.delivery.allowed-networks to deliver there");
        assertRefused(add("cli-secret", "https://203.0.113.9/hooks", "--secret-ref", "IU_DB_PASSWORD"),
                "secret_ref must name an environment variable IU_WEBHOOK_SECRET_… (capitals, digits, _) that holds"
                        + " the signing secret, never another variable or the secret itself");
        assertRefused(add("cli-kafka-secret", "kafka:orders", "--secret-ref", "IU_WEBHOOK_SECRET_X"),
                "secret_ref signs webhooks only; a kafka route takes none");
        assertRefused(add("cli-kind", "log:audit", "--kind", "webhook"),
                "target_kind webhook does not match target \"log:audit\", a log target");
        assertRefused(add("cli-topic", "kafka:bad topic!"), "\"bad topic!\" is not a Kafka topic name");
        assertRefused(cli("routes", "add", "cli-internal", "--event-type", "iu.template.instance_auto_composed",
                        "--target", "log:x", "--actor", "alice", "--reason", "r"),
                "event type iu.template.instance_auto_composed is internal-only: no route may carry it (route"
                        + " cli-internal, layer 2 of the boundary)");
        assertRefused(cli("routes", "add", "cli-unknown", "--event-type", "no.such.type", "--target", "log:x",
                        "--actor", "alice", "--reason", "r"),
                "unknown event type \"no.such.type\": a route carries a registered type");
        assertThat(DB.db().count("iu_outbound_route")).isEqualTo(routes);
        assertThat(DB.db().count("iu_core_control_audit")).isEqualTo(audits);
        assertThat(lastLogged("routes add")).containsEntry("outcome", "refused").containsEntry("exit_code", 1)
                .containsEntry("actor", "alice");
    }

    private static void assertRefused(Cli.Result result, String message) {
        assertThat(result.exitCode()).as(result.out()).isEqualTo(1);
        assertThat(result.err()).contains(message);
        assertThat(lastLogged("routes add").get("message")).asString().contains(message);
    }

    @Test
    void aSecondRouteWithTheSameKeyIsRefused() {
        assertThat(add("cli-twice", "log:twice").exitCode()).isZero();
        Cli.Result again = add("cli-twice", "log:again");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).contains("route \"cli-twice\" exists");
        assertThat(DB.db().queryValue("SELECT target_uri FROM iu_outbound_route WHERE route_key = 'cli-twice'"))
                .isEqualTo("log:twice");
    }

    @Test
    void backoffCircuitOrderAndRateAreTakenByAddAndChangedBySet() throws Exception {
        Cli.Result added = add("cli-tuned", "https://203.0.113.11/t", "--backoff-initial-ms", "500",
                "--backoff-factor", "1.5", "--backoff-max-ms", "60000", "--ordered", "true",
                "--circuit-failure-threshold", "3", "--circuit-open-ms", "10000", "--rate-limit-per-second", "2.5", "--json");
        assertThat(added.exitCode()).as(added.err()).isZero();
        JsonNode route = JSON.readTree(added.out()).path("route");
        assertThat(route.path("backoff_initial_ms").asInt()).isEqualTo(500);
        assertThat(route.path("backoff_factor").decimalValue()).isEqualByComparingTo("1.5");
        assertThat(route.path("ordered").asBoolean()).isTrue();
        assertThat(route.path("circuit_open_ms").asInt()).isEqualTo(10000);
        assertThat(tuning("cli-tuned")).isEqualTo("500 1.5 60000 true 3 10000 2.5");

        Cli.Result set = cli("routes", "set", "cli-tuned", "--backoff-max-ms", "120000", "--ordered", "false",
                "--circuit-open-ms", "20000", "--actor", "bob", "--reason", "slower receiver");
        assertThat(set.exitCode()).as(set.err()).isZero();
        assertThat(tuning("cli-tuned")).isEqualTo("500 1.5 120000 false 3 20000 2.5");
        assertThat(lastLogged("routes set")).containsEntry("actor", "bob").containsEntry("outcome", "ok");

        // the table's own checks stand behind the options: the longest wait below the first is refused, nothing changes
        Cli.Result shorter = cli("routes", "set", "cli-tuned", "--backoff-max-ms", "100", "--actor", "bob", "--reason", "r");
        assertThat(shorter.exitCode()).isNotZero();
        assertThat(tuning("cli-tuned")).isEqualTo("500 1.5 120000 false 3 20000 2.5");
        Cli.Result notANumber = cli("routes", "set", "cli-tuned", "--backoff-factor", "fast", "--actor", "bob", "--reason", "r");
        assertThat(notANumber.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(notANumber.err()).contains("--backoff-factor");
    }

    private static String tuning(String key) {
        return new RelayData(DB.db()).tuning(key);
    }

    @Test
    void setChangesOnlyWhatIsGivenAndTheChangedRouteIsCheckedAsAWhole() {
        assertThat(add("cli-set", "https://203.0.113.9/a", "--secret-ref", "IU_WEBHOOK_SECRET_A",
                "--description", "first").exitCode()).isZero();
        Cli.Result result = cli("routes", "set", "cli-set", "--target", "https://203.0.113.10/b", "--description=",
                "--actor", "bob", "--reason", "moved");
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("route cli-set changed: " + TYPE + " -> https://203.0.113.10/b (webhook, enabled)");
        assertThat(DB.db().query("SELECT target_uri, secret_ref, description FROM iu_outbound_route WHERE route_key = 'cli-set'"))
                .singleElement().satisfies(row -> assertThat(row).containsEntry("target_uri", "https://203.0.113.10/b")
                        .containsEntry("secret_ref", "IU_WEBHOOK_SECRET_A").containsEntry("description", null));
        assertThat(DB.db().queryValue("""
                SELECT actor || ' ' || reason FROM iu_core_control_audit WHERE row_key = 'cli-set' AND operation = 'UPDATE'"""))
                .isEqualTo("bob moved");
        // the secret the route keeps does not fit a kafka target: refused, the row as it was
        Cli.Result kafka = cli("routes", "set", "cli-set", "--target", "kafka:orders", "--actor", "bob", "--reason", "r");
        assertThat(kafka.exitCode()).isEqualTo(1);
        assertThat(kafka.err()).contains("secret_ref signs webhooks only; a kafka route takes none");
        assertThat(DB.db().queryValue("SELECT target_uri FROM iu_outbound_route WHERE route_key = 'cli-set'"))
                .isEqualTo("https://203.0.113.10/b");
        Cli.Result missing = cli("routes", "set", "no-such-route", "--description", "x", "--actor", "bob", "--reason", "r");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("no outbound route \"no-such-route\"");
    }

    @Test
    void disableAndEnableAreAuditedAndLogged() throws Exception {
        assertThat(add("cli-toggle", "log:toggle").exitCode()).isZero();
        Cli.Result off = cli("routes", "disable", "cli-toggle", "--actor", "carol", "--reason", "incident 7", "--json");
        assertThat(off.exitCode()).as(off.err()).isZero();
        assertThat(JSON.readTree(off.out()).path("enabled").asBoolean()).isFalse();
        assertThat(DB.db().queryValue("SELECT enabled FROM iu_outbound_route WHERE route_key = 'cli-toggle'")).isEqualTo(false);
        assertThat(lastLogged("routes disable")).containsEntry("actor", "carol").containsEntry("outcome", "ok")
                .satisfies(row -> assertThat((String) row.get("row_deltas")).contains("\"iu_core_control_audit\": 1"));
        Cli.Result on = cli("routes", "enable", "cli-toggle", "--actor", "carol", "--reason", "fixed");
        assertThat(on.out()).contains("route cli-toggle (outbound): enabled");
        assertThat(DB.db().query("""
                SELECT reason FROM iu_core_control_audit WHERE row_key = 'cli-toggle' AND operation = 'UPDATE' ORDER BY id"""))
                .extracting(row -> row.get("reason")).containsExactly("incident 7", "fixed");
        Cli.Result unknown = cli("routes", "enable", "no-such-route", "--actor", "carol", "--reason", "r");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("no route \"no-such-route\"");
        assertThat(lastLogged("routes enable")).containsEntry("outcome", "refused");
    }

    @Test
    void aReasonIsRequired() {
        TestDb db = DB.db();
        long logged = db.count("iu_command_log");
        Cli.Result result = cli("routes", "add", "cli-noreason", "--event-type", TYPE, "--target", "log:x", "--actor", "a");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("--reason");
        assertThat(db.count("iu_command_log")).isEqualTo(logged);
    }
}
