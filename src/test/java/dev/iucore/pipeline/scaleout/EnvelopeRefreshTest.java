package dev.iucore.pipeline.scaleout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.iucore.pipeline.demo.DemoDataLoader;
import dev.iucore.pipeline.testing.DatabaseExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The trigger of V015: a lineage insert refreshes its collection's envelope while envelope_refresh_enabled is open. */
class EnvelopeRefreshTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @BeforeAll
    static void demoTemplatesAndScaleoutOpen() throws Exception {
        new DemoDataLoader(DB.db().runtime()).load();
        DB.db().update("UPDATE iu_core_gate SET gate_value = 'true' WHERE gate_name = 'scaleout_enabled'");
    }

    private static void compose(String actor) throws Exception {
        new ScaleoutRunner(DB.db().runtime()).run(ScaleoutBatch.of(actor, 2,
                List.of(TemplateVersion.parse("tpl:file:status-report/v2"), TemplateVersion.parse("tpl:wf:onboarding/v1")),
                null), n -> { });
    }

    private static void envelopeGate(boolean open) {
        DB.db().update("UPDATE iu_core_gate SET gate_value = ? WHERE gate_name = 'envelope_refresh_enabled'",
                Boolean.toString(open));
    }

    @Test
    void withTheGateOpenAComposedCollectionsEnvelopeIsItsTemplatesPieceCountAndDigest() throws Exception {
        envelopeGate(true);
        compose("envelope-open");

        assertThat(DB.db().query("""
                SELECT c.piece_count, c.envelope_digest = v.digest AS digest_is_templates,
                       c.envelope_refreshed_at >= c.created_at AS refreshed
                  FROM iu_piece_collection c
                  JOIN iu_collection_template_version v ON (v.template_id, v.version) = (c.template_id, c.template_version)
                 WHERE c.actor = 'envelope-open' ORDER BY c.piece_count""")).containsExactly(
                Map.of("piece_count", 5, "digest_is_templates", true, "refreshed", true),
                Map.of("piece_count", 6, "digest_is_templates", true, "refreshed", true));
    }

    @Test
    void withTheGateClosedTheTriggerLeavesTheEnvelopeUntouched() throws Exception {
        envelopeGate(false);
        compose("envelope-closed");

        assertThat(DB.db().query("""
                SELECT piece_count, envelope_digest, envelope_refreshed_at FROM iu_piece_collection
                 WHERE actor = 'envelope-closed'""")).hasSize(2).allSatisfy(row -> {
                     assertThat(row.get("piece_count")).isEqualTo(0);
                     assertThat(row.get("envelope_digest")).isNull();
                     assertThat(row.get("envelope_refreshed_at")).isNull();
                 });
    }
}
