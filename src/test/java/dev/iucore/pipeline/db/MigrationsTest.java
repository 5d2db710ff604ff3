package dev.iucore.pipeline.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.TestDb;
import dev.iucore.pipeline.testing.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MigrationsTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.empty();

    private static final List<String> DESIGN_TABLES = List.of(
            "event_outbox", "event_type_registry", "iu_outbound_route", "iu_sql_event_route", "iu_route_delivery",
            "iu_route_attempt", "iu_route_dead_letter", "iu_core_gate", "iu_core_gate_audit",
            "iu_core_retention_policy", "iu_core_retention_run", "information_unit",
            "iu_collection_template_registry", "iu_collection_template_version", "iu_piece_collection",
            "iu_piece_membership", "iu_collection_template_instance_lineage", "iu_auto_instantiate_event_log",
            "iu_lifecycle_log", "iu_vector_sync_point", "dot_iu_command_catalog", "iu_command_log");

    @Test
    void everyMigrationHasARollbackFile() throws IOException {
        List<String> migrations;
        try (Stream<Path> files = Stream.concat(Files.list(Path.of("sql")), Files.list(Path.of("sql", "optional")))) {
            migrations = files.map(p -> p.getFileName().toString()).filter(n -> n.matches("V\\d+__.+\\.sql")).sorted().toList();
        }
        assertThat(migrations).contains("V015__envelope_refresh_trigger.sql");
        assertThat(migrations).isNotEmpty();
        for (String migration : migrations) {
            assertThat(Path.of("sql/rollback", migration.replaceFirst("\\.sql$", ".rollback.sql")))
                    .as("rollback of " + migration).exists();
        }
    }

    @Test
    void eachMigrationAppliesRollsBackToThePreviousSchemaAndReapplies() throws SQLException {
        TestDb db = DB.db();
        Migrator migrator = new Migrator(db.owner(), TestPostgres.RUNTIME);
        List<String> versions = migrator.available();

        // apply one version at a time, keeping the schema after each
        List<Map<String, SortedSet<String>>> forward = new ArrayList<>();
        forward.add(inventory(db));
        for (String version : versions) {
            assertThat(migrator.migrateTo(version).applied()).containsExactly(version);
            forward.add(inventory(db));
        }
        assertThat(forward.get(forward.size() - 1).get("tables")).containsAll(DESIGN_TABLES);

        // roll back one version at a time: each must give exactly the schema before that version
        List<String> newestFirst = new ArrayList<>(versions);
        Collections.reverse(newestFirst);
        for (int i = 0; i < newestFirst.size(); i++) {
            String version = newestFirst.get(i);
            assertThat(migrator.rollback(version)).extracting(Migrator.AppliedMigration::version).containsExactly(version);
            assertThat(inventory(db)).as("schema after rolling back " + version)
                    .isEqualTo(forward.get(forward.size() - 2 - i));
        }
        assertThat(inventory(db).values()).allSatisfy(objects -> assertThat(objects).isEmpty());

        // and everything applies again on the emptied schema
        assertThat(migrator.migrate().applied()).containsExactlyElementsOf(versions);
        assertThat(inventory(db)).isEqualTo(forward.get(forward.size() - 1));
        assertThat(migrator.pending()).isEmpty();
    }

    private static Map<String, SortedSet<String>> inventory(TestDb db) throws SQLException {
        try (Connection c = db.owner().getConnection()) {
            return SchemaInventory.read(c, new SchemaInventory.Roles(TestPostgres.OWNER, TestPostgres.RUNTIME));
        }
    }
}
