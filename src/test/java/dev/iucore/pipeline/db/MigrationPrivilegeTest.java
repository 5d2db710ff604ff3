package dev.iucore.pipeline.db;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.iucore.pipeline.cli.ExitCode;
import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.config.Settings;
import dev.iucore.pipeline.health.MigrationsReadiness;
import dev.iucore.pipeline.testing.Cli;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.TestDb;
import dev.iucore.pipeline.testing.TestPostgres;
import java.util.List;
import java.util.Map;
import org.apache.camel.health.HealthCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The field report's migration 036: the envelope trigger refused for want of the TRIGGER privilege
 * on the lineage table, while the other phases went ahead. Here the owner role has that privilege
 * revoked on a database migrated up to the version before; the optional step V015 is left out and
 * named, the rest migrates, and after the grant a later {@code migrate} applies it.
 */
class MigrationPrivilegeTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.empty();

    private static final String TRIGGER_MIGRATION = "015";
    private static final String TRIGGER = "iu_lineage_envelope_refresh_trg";
    private static final String LINEAGE = "iu_collection_template_instance_lineage";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theEnvelopeTriggerRefusedForWantOfTheTriggerPrivilegeIsOneNamedBlockedStepTheRestMigratesAndAGrantAppliesItLater()
            throws Exception {
        TestDb db = DB.db();
        Migrator migrator = new Migrator(db.owner(), TestPostgres.RUNTIME);
        migrator.migrateTo("014");
        db.update("REVOKE TRIGGER ON " + LINEAGE + " FROM " + TestPostgres.OWNER);
        List<String> later = migrator.available().stream().filter(v -> v.compareTo(TRIGGER_MIGRATION) > 0).toList();

        Cli.Result migrate = Cli.run(db.settings(), "migrate");

        assertThat(migrate.exitCode()).as(migrate.err()).isEqualTo(ExitCode.OK);
        assertThat(migrate.out()).contains("applied: " + String.join(", ", later))
                .contains("blocked: migration 015 (envelope refresh trigger) blocked: CREATE TRIGGER needs the TRIGGER "
                        + "privilege on table " + LINEAGE + ", which role iu_core_owner (connected) does not have")
                .contains("Nothing of it was applied; the other migrations went ahead without it. Apply it later as role "
                        + "iu_core_owner once it holds the privilege again, or after `GRANT TRIGGER ON TABLE " + LINEAGE
                        + " TO iu_core_owner`: iu-core migrate.")
                .contains("schema version: " + later.get(later.size() - 1) + " (without optional step 015)");
        assertThat(db.queryLong("SELECT count(*) FROM pg_trigger WHERE tgname = ?", TRIGGER)).isZero();
        assertThat(db.queryLong("SELECT count(*) FROM flyway_schema_history WHERE version = ?", TRIGGER_MIGRATION)).isZero();
        assertThat(db.queryLong("SELECT count(*) FROM flyway_schema_history WHERE NOT success")).isZero();
        // the boundary view and the route status view of V019 and V020 arrived, as in the field report
        assertThat(db.queryLong("SELECT count(*) FROM pg_views WHERE viewname IN ('iu_core_event_boundary', 'iu_core_route_status')"))
                .isEqualTo(2);
        assertThat(migrator.blocked()).containsOnlyKeys(TRIGGER_MIGRATION);

        // a second run tries it again, still refused, and changes nothing; --json names it for scripts
        JsonNode again = JSON.readTree(Cli.run(db.settings(), "migrate", "--json").out());
        assertThat(again.get("applied")).isEmpty();
        assertThat(again.get("blocked")).hasSize(1);
        assertThat(again.get("blocked").get(0).get("version").asText()).isEqualTo(TRIGGER_MIGRATION);
        assertThat(again.get("blocked").get(0).get("reason").asText())
                .contains("CREATE TRIGGER needs the TRIGGER privilege on table " + LINEAGE);

        // conformance: one named blocked item, everything else conforms
        Cli.Result conformance = Cli.run(db.settings(), "verify", "conformance");
        assertThat(conformance.exitCode()).as(conformance.out()).isEqualTo(ExitCode.OK);
        assertThat(conformance.out()).contains("blocked: optional step 015 (envelope refresh trigger) is not applied, so its 1 object is not expected")
                .containsPattern("(?m)^  triggers: " + LINEAGE + "." + TRIGGER + ": CREATE TRIGGER .*$")
                .contains("conformance: PASS, 1 optional step blocked")
                .doesNotContain("DEVIATION");
        JsonNode json = JSON.readTree(Cli.run(db.settings(), "verify", "conformance", "--json").out());
        assertThat(json.get("blocked")).hasSize(1);
        assertThat(json.get("blocked").get(0).get("version").asText()).isEqualTo(TRIGGER_MIGRATION);

        // the service is ready without it, and says so
        HealthCheck.Result ready = new MigrationsReadiness(db.runtime(), TestPostgres.RUNTIME).call();
        assertThat(ready.getState()).isEqualTo(HealthCheck.State.UP);
        assertThat(ready.getMessage()).hasValue("all " + db.queryLong("SELECT count(*) FROM flyway_schema_history")
                + " migrations applied; optional step not applied: 015 (envelope refresh trigger) (`iu-core migrate` says what it needs)");

        // after the grant, migrate applies it (out of order) and conformance has nothing blocked
        db.update("GRANT TRIGGER ON " + LINEAGE + " TO " + TestPostgres.OWNER);
        Cli.Result granted = Cli.run(db.settings(), "migrate");
        assertThat(granted.exitCode()).as(granted.err()).isEqualTo(ExitCode.OK);
        assertThat(granted.out()).contains("applied: 015").doesNotContain("blocked")
                .containsPattern("(?m)^schema version: " + later.get(later.size() - 1) + "$");
        assertThat(db.queryLong("SELECT count(*) FROM pg_trigger WHERE tgname = ?", TRIGGER)).isEqualTo(1);
        assertThat(migrator.blocked()).isEmpty();
        Cli.Result after = Cli.run(db.settings(), "verify", "conformance");
        assertThat(after.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(after.out()).doesNotContain("blocked").contains("conformance: PASS");
    }

    /** The runtime role may neither create the trigger (optional: left out) nor the view of 019 (required: stop). */
    @Test
    void aRequiredMigrationRefusedAfterABlockedOptionalStepStopsThereAndNamesIt() {
        TestDb db = TestPostgres.emptyDatabase();
        try {
            new Migrator(db.owner(), TestPostgres.RUNTIME).migrateTo("014");

            Cli.Result result = Cli.run(asRuntimeRole(db.settings()), "migrate");

            assertThat(result.exitCode()).isEqualTo(ExitCode.FAILED);
            assertThat(result.err()).contains("iu-core migrate: migration 019 (event boundary view) refused: ")
                    .contains("which role iu_core_app (connected) does not have")
                    .contains("Nothing of it was applied: it ran in one transaction and was rolled back; "
                            + "the schema stays at version 014")
                    .doesNotContain("\tat ");
            assertThat(db.queryValue("SELECT max(version) FROM flyway_schema_history")).isEqualTo("014");
            assertThat(db.queryLong("SELECT count(*) FROM flyway_schema_history WHERE NOT success")).isZero();
            assertThat(db.queryLong("SELECT count(*) FROM pg_trigger WHERE tgname = ?", TRIGGER)).isZero();
        } finally {
            db.close();
        }
    }

    @Test
    void anyRefusedPrivilegeIsNamedWithTheObjectAndItsOwner() {
        TestDb db = TestPostgres.emptyDatabase();
        try {
            new Migrator(db.owner(), TestPostgres.RUNTIME).migrateTo("012");

            Cli.Result result = Cli.run(asRuntimeRole(db.settings()), "migrate");

            assertThat(result.exitCode()).isEqualTo(ExitCode.FAILED);
            assertThat(result.err()).contains("migration 013 (template composition) refused: `CREATE INDEX "
                            + "iu_auto_instantiate_event_log_collection_idx ON iu_auto_instantiate_event_log (collection_id)` "
                            + "needs ownership of table iu_auto_instantiate_event_log, which role iu_core_app (connected) does not have")
                    .contains("the schema stays at version 012")
                    .contains("Apply it as role iu_core_owner, the table's owner");
            assertThat(db.queryValue("SELECT max(version) FROM flyway_schema_history")).isEqualTo("012");
        } finally {
            db.close();
        }
    }

    /** The migrating role set to the runtime role, with its password. */
    private static Settings asRuntimeRole(Settings settings) {
        return settings.with(Map.of(Setting.DB_OWNER_USER, TestPostgres.RUNTIME,
                Setting.DB_OWNER_PASSWORD, TestPostgres.password(TestPostgres.RUNTIME)));
    }
}
