package dev.iucore.pipeline.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.iucore.pipeline.config.ConfigurationException;
import dev.iucore.pipeline.db.Migrator;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Migration 045 hands Quartz's tables to the scheduler role only when that role is a real one of
 * its own: otherwise it refuses, saying how to create the role, and the schema stays where it was.
 */
class SchedulerRoleMigrationTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.empty();

    @Test
    void migration045RefusesWhileTheSchedulerRoleDoesNotExistAndLeavesTheSchemaBeforeIt() {
        assertThatThrownBy(() -> new Migrator(DB.db().owner(), TestPostgres.RUNTIME, "iu_core_no_scheduler").migrate())
                .hasMessageContaining("the scheduler role iu_core_no_scheduler does not exist")
                .hasMessageContaining("create_roles.sql");
        assertNothingOf045Applied();
    }

    @Test
    void migration045RefusesTheRuntimeRoleAsTheSchedulerRole() {
        assertThatThrownBy(() -> new Migrator(DB.db().owner(), TestPostgres.RUNTIME, TestPostgres.RUNTIME).migrate())
                .hasMessageContaining("must be a role of its own, not the runtime or the owner role");
        assertNothingOf045Applied();
    }

    @Test
    void aSchedulerRoleNameThatIsNotAPlainIdentifierNeverReachesTheOwnersMigration() {
        assertThatThrownBy(() -> new Migrator(DB.db().owner(), TestPostgres.RUNTIME, "sched; DROP TABLE qrtz_locks; --"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("IU_DB_SCHEDULER_USER");
    }

    private static void assertNothingOf045Applied() {
        assertThat(DB.db().queryValue("SELECT max(version) FROM flyway_schema_history WHERE success")).as("the migration before 045").isEqualTo("040");
        // Quartz's tables are still the runtime role's, as they were before 045
        assertThat(DB.db().queryLong("SELECT count(*) FROM information_schema.role_table_grants"
                + " WHERE table_name = 'qrtz_locks' AND grantee = ?", TestPostgres.RUNTIME)).isEqualTo(4);
    }
}
