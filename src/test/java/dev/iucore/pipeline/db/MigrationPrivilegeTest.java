package dev.iucore.pipeline.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.iucore.pipeline.cli.ExitCode;
import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.config.Settings;
import dev.iucore.pipeline.testing.Cli;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.TestDb;
import dev.iucore.pipeline.testing.TestPostgres;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The field report's migration 036: the envelope trigger applied by a role without the TRIGGER
 * privilege on the lineage table. Here the runtime role tries, on a database the owner migrated up
 * to the version before.
 */
class MigrationPrivilegeTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.empty();

    private static final String TRIGGER_MIGRATION = "015";

    @Test
    void migratingTheEnvelopeTriggerAsTheRuntimeRoleFailsAtomicallyNamingThePrivilegeTheTableAndTheRoleThatCanApplyIt() {
        TestDb db = DB.db();
        new Migrator(db.owner(), TestPostgres.RUNTIME).migrateTo("014");

        Cli.Result result = Cli.run(asRuntimeRole(db.settings()), "migrate");

        assertThat(result.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(result.err()).contains("iu-core migrate: migration 015 (envelope refresh trigger) refused: "
                        + "CREATE TRIGGER needs the TRIGGER privilege on table iu_collection_template_instance_lineage, "
                        + "which role iu_core_app (connected) does not have")
                .contains("Nothing of it was applied: it ran in one transaction and was rolled back; "
                        + "the schema stays at version 014")
                .contains("Apply it as role iu_core_owner, the table's owner (IU_DB_OWNER_USER=iu_core_owner iu-core migrate)")
                .doesNotContain("\tat ");
        // nothing of 015 remains: no trigger, no history row, not even a failed one
        assertThat(db.queryLong("SELECT count(*) FROM pg_trigger WHERE tgname = 'iu_lineage_envelope_refresh_trg'")).isZero();
        assertThat(db.queryValue("SELECT max(version) FROM flyway_schema_history")).isEqualTo("014");
        assertThat(db.queryLong("SELECT count(*) FROM flyway_schema_history WHERE NOT success")).isZero();

        // the owner applies it
        assertThat(new Migrator(db.owner(), TestPostgres.RUNTIME).migrate()).startsWith(TRIGGER_MIGRATION);
        assertThat(db.queryLong("SELECT count(*) FROM pg_trigger WHERE tgname = 'iu_lineage_envelope_refresh_trg'")).isEqualTo(1);
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
