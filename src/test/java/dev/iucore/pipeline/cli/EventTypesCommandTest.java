package dev.iucore.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.iucore.pipeline.testing.Cli;
import dev.iucore.pipeline.testing.DatabaseExtension;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code event-types register|set}: the registry row, its control-audit row and the command-log row. */
class EventTypesCommandTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Cli.Result cli(String... args) {
        return Cli.run(DB.db().settings(), args);
    }

    private static Map<String, Object> lastLogged(String command) {
        return DB.db().query("""
                SELECT actor, outcome, exit_code, dry_run, row_deltas::text AS row_deltas
                FROM iu_command_log WHERE command_name = ? ORDER BY id DESC LIMIT 1""", command).get(0);
    }

    @Test
    void registerAddsTheTypeWithItsAuditAndLogRow() throws Exception {
        Cli.Result result = cli("event-types", "register", "iu.invoice.created", "--lane", "delayed",
                "--description", "An invoice was created.", "--actor", "alice", "--reason", "billing, change 4720", "--json");
        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode type = JSON.readTree(result.out()).path("event_type");
        assertThat(type.path("event_type").asText()).isEqualTo("iu.invoice.created");
        assertThat(type.path("delivery_lane").asText()).isEqualTo("delayed");
        assertThat(DB.db().query("SELECT delivery_lane, internal_only FROM event_type_registry WHERE event_type = 'iu.invoice.created'"))
                .singleElement().satisfies(row -> assertThat(row).containsEntry("delivery_lane", "delayed")
                        .containsEntry("internal_only", false));
        assertThat(DB.db().query("SELECT operation, actor, reason FROM iu_core_control_audit WHERE row_key = 'iu.invoice.created'"))
                .singleElement().satisfies(row -> assertThat(row).containsEntry("operation", "INSERT")
                        .containsEntry("actor", "alice").containsEntry("reason", "billing, change 4720"));
        assertThat(lastLogged("event-types register")).containsEntry("actor", "alice").containsEntry("outcome", "ok")
                .satisfies(row -> assertThat((String) row.get("row_deltas")).contains("\"iu_core_control_audit\": 1"));
        Cli.Result again = cli("event-types", "register", "iu.invoice.created", "--lane", "live", "--description", "x",
                "--actor", "alice", "--reason", "r");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).contains("event type \"iu.invoice.created\" is registered");
    }

    @Test
    void setChangesWhatIsGivenAndKeepsTheBoundaryRule() {
        assertThat(cli("event-types", "register", "iu.invoice.paid", "--lane", "live", "--description", "Paid.",
                "--actor", "alice", "--reason", "r").exitCode()).isZero();
        Cli.Result result = cli("event-types", "set", "iu.invoice.paid", "--internal-only=true", "--actor", "bob",
                "--reason", "never leaves");
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("event type iu.invoice.paid changed: lane live, internal only");
        assertThat(DB.db().query("SELECT description, internal_only FROM event_type_registry WHERE event_type = 'iu.invoice.paid'"))
                .singleElement().satisfies(row -> assertThat(row).containsEntry("description", "Paid.")
                        .containsEntry("internal_only", true));
        assertThat(DB.db().queryValue("""
                SELECT actor || ' ' || reason FROM iu_core_control_audit WHERE row_key = 'iu.invoice.paid' AND operation = 'UPDATE'"""))
                .isEqualTo("bob never leaves");
        Cli.Result routed = cli("event-types", "set", "iu.vector.synced", "--internal-only=true", "--actor", "bob", "--reason", "r");
        assertThat(routed.exitCode()).isEqualTo(1);
        assertThat(routed.err()).contains("event type iu.vector.synced has routes: remove them before marking it internal-only");
        assertThat(DB.db().queryValue("SELECT internal_only FROM event_type_registry WHERE event_type = 'iu.vector.synced'"))
                .isEqualTo(false);
        Cli.Result unknown = cli("event-types", "set", "no.such.type", "--lane", "live", "--actor", "bob", "--reason", "r");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("unknown event type \"no.such.type\"");
        assertThat(lastLogged("event-types set")).containsEntry("outcome", "refused");
    }

    @Test
    void aDryRunWritesNothing() {
        Cli.Result result = cli("event-types", "register", "iu.invoice.voided", "--lane", "live", "--description", "Void.",
                "--actor", "alice", "--reason", "r", "--dry-run");
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("would be registered (dry run, nothing written)");
        assertThat(DB.db().queryLong("SELECT count(*) FROM event_type_registry WHERE event_type = 'iu.invoice.voided'")).isZero();
        assertThat(DB.db().queryLong("SELECT count(*) FROM iu_core_control_audit WHERE row_key = 'iu.invoice.voided'")).isZero();
        assertThat(lastLogged("event-types register")).containsEntry("dry_run", true);
    }
}
