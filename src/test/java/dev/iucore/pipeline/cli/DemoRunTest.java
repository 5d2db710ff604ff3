package dev.iucore.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.testing.Cli;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.RunningPipeline;
import dev.iucore.pipeline.testing.TestDb;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DemoRunTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @Test
    void theDemoShowsEveryLayerWorkAndPutsTheGatesBack() {
        TestDb db = DB.db();
        // the delayed lane would release the held event at its next firing
        Cli.Result result = Cli.run(db.settings().with(Setting.DELAYED_LANE_CRON, RunningPipeline.NEVER),
                "demo", "run", "--exit");
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("every demo event has settled.");

        assertThat(db.query("""
                SELECT e.event_type, e.status, d.status AS delivery, d.attempts
                  FROM event_outbox e LEFT JOIN iu_route_delivery d ON d.event_id = e.event_id
                 WHERE e.actor = 'demo' ORDER BY e.id""")).containsExactly(
                row("iu.collection.created", "dispatched", "delivered", 1),
                row("iu.document.published", "dispatched", "delivered", 2),
                row("iu.information_unit.archived", "dispatched", "dead", 1),
                row("iu.information_unit.created", "dispatched", "delivered", 1),
                row("iu.template.instance_auto_composed", "held", null, null),
                row("iu.demo.typo", "dead", null, null));
        assertThat(db.query("SELECT reason FROM iu_route_dead_letter"))
                .containsExactlyInAnyOrder(Map.of("reason", "permanent_failure"), Map.of("reason", "unregistered_type"));

        // the gates read as before, and each change on the way is audited
        assertThat(db.queryLong("SELECT count(*) FROM iu_core_gate WHERE fn_iu_core_gate_open(gate_name)")).isZero();
        assertThat(db.queryLong("SELECT count(*) FROM iu_core_gate_audit WHERE actor = 'iu-core demo'")).isEqualTo(4);
        // the runtime role cannot change the route table: the demo writes its routes as the owner, audited
        assertThat(db.queryLong("""
                SELECT count(*) FROM iu_core_control_audit
                 WHERE table_name = 'iu_outbound_route' AND actor = 'iu-core demo' AND db_user = 'iu_core_owner'"""))
                .isEqualTo(4);
        assertThat(db.queryValue("SELECT outcome FROM iu_command_log WHERE command_name = 'demo run'")).isEqualTo("ok");
    }

    private static Map<String, Object> row(String type, String status, String delivery, Integer attempts) {
        Map<String, Object> row = new java.util.LinkedHashMap<>();
        row.put("event_type", type);
        row.put("status", status);
        row.put("delivery", delivery);
        row.put("attempts", attempts);
        return row;
    }
}
