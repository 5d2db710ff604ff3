package dev.iucore.pipeline.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.iucore.pipeline.cli.ExitCode;
import dev.iucore.pipeline.db.Migrator;
import dev.iucore.pipeline.db.SchemaInventory.Roles;
import dev.iucore.pipeline.testing.Cli;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.TestDb;
import dev.iucore.pipeline.testing.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class ConformanceTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Roles ROLES = new Roles(TestPostgres.OWNER, TestPostgres.RUNTIME);
    private static final String REGENERATE = "mvn -B -q package -DskipTests && IU_DATA_DIR=$(mktemp -d) "
            + "java -jar target/iu-core-pipeline.jar verify conformance --write-manifest "
            + "src/main/resources/conformance/manifest.json";

    private static Cli.Result iuCore(String... args) {
        return Cli.run(DB.db().settings(), args);
    }

    @Test
    void theCommittedManifestMatchesAFreshlyMigratedDatabase() throws Exception {
        ConformanceManifest committed = ConformanceManifest.packaged();
        ConformanceManifest migrated;
        try (Connection c = DB.db().runtime().getConnection()) {
            migrated = ConformanceManifest.fromLive(c, ROLES, DB.db().owner(), new Migrator(DB.db().owner(), TestPostgres.RUNTIME));
        }
        assertThat(committed.categories())
                .as("src/main/resources/conformance/manifest.json is out of date with the migrations; regenerate it:%n%s",
                        REGENERATE)
                .isEqualTo(migrated.categories());
        assertThat(committed.optionalSteps()).as("the manifest's optional steps; regenerate: %s", REGENERATE)
                .isEqualTo(migrated.optionalSteps());
        assertThat(committed.optionalSteps().get("015").categories().get("triggers"))
                .singleElement().asString().startsWith("iu_collection_template_instance_lineage.iu_lineage_envelope_refresh_trg: CREATE TRIGGER");
        assertThat(committed.schemaVersion()).as("manifest schema version; regenerate: %s", REGENERATE)
                .isEqualTo(migrated.schemaVersion());
    }

    @Test
    void theManifestNamesRolesOnlyByPlaceholder() throws Exception {
        String manifest = Files.readString(Path.of("src/main/resources/conformance/manifest.json"));
        assertThat(manifest).doesNotContain(TestPostgres.OWNER).doesNotContain(TestPostgres.RUNTIME)
                .contains("${owner_role}: login").contains("event_outbox to ${runtime_role}: INSERT");
    }

    @Test
    void conformancePassesAfterMigrateWithACountPerCategory() throws Exception {
        Cli.Result table = iuCore("verify", "conformance");
        assertThat(table.exitCode()).as(table.out() + table.err()).isEqualTo(ExitCode.OK);
        int tables = ConformanceManifest.packaged().categories().get("tables").size();
        assertThat(table.out()).startsWith("CATEGORY")
                .containsPattern("(?m)^tables\\s+\\| " + tables + "\\s+\\| " + tables + "\\s+\\| " + tables + "/" + tables + " PASS$")
                .contains("13/13 categories PASS, " + ConformanceManifest.packaged().objectCount() + " objects expected")
                .contains("conformance: PASS")
                .doesNotContain("DEVIATION");

        JsonNode json = JSON.readTree(iuCore("verify", "conformance", "--json").out());
        assertThat(json.get("conforms").asBoolean()).isTrue();
        assertThat(json.get("live_schema_version").asText()).isEqualTo(json.get("manifest_schema_version").asText());
        assertThat(json.get("categories").findValuesAsText("category")).containsExactly("tables", "columns", "indexes",
                "constraints", "functions", "triggers", "views", "sequences", "owners", "grants", "default_privileges",
                "schema_usage", "roles");
        for (JsonNode category : json.get("categories")) {
            assertThat(category.get("pass").asBoolean()).isTrue();
            assertThat(category.get("matched").asInt()).isEqualTo(category.get("expected").asInt())
                    .isEqualTo(category.get("found").asInt());
        }
    }

    @Test
    void aDroppedIndexFailsConformanceNamingTheIndex() throws Exception {
        DB.db().update("DROP INDEX event_outbox_actor_idx");
        try {
            Cli.Result result = iuCore("verify", "conformance");
            assertThat(result.exitCode()).isEqualTo(ExitCode.FAILED);
            int indexes = ConformanceManifest.packaged().categories().get("indexes").size();
            assertThat(result.out())
                    .containsPattern("(?m)^indexes\\s+\\| " + indexes + "\\s+\\| " + (indexes - 1) + "\\s+\\| "
                            + (indexes - 1) + "/" + indexes + " FAIL$")
                    .containsPattern("(?m)^missing\\s+\\| indexes\\s+\\| event_outbox_actor_idx: CREATE INDEX "
                            + "event_outbox_actor_idx ON public.event_outbox USING btree \\(actor\\) WHERE \\(actor IS NOT NULL\\)$")
                    .contains("12/13 categories PASS")
                    .contains("conformance: FAIL");
            assertThat(DB.db().query("""
                    SELECT outcome, exit_code FROM iu_command_log WHERE command_name = 'verify conformance'
                    ORDER BY id DESC LIMIT 1""").get(0)).containsEntry("outcome", "failed").containsEntry("exit_code", 1);
        } finally {
            DB.db().update("CREATE INDEX event_outbox_actor_idx ON event_outbox (actor) WHERE actor IS NOT NULL");
        }
        assertThat(iuCore("verify", "conformance").exitCode()).as("the recreated index conforms again").isZero();
    }

    @Test
    void anUnexpectedTableFailsConformanceNamingIt() throws Exception {
        DB.db().update("CREATE TABLE intruder (id int)");
        try {
            Cli.Result result = iuCore("verify", "conformance", "--json");
            assertThat(result.exitCode()).isEqualTo(ExitCode.FAILED);
            JsonNode json = JSON.readTree(result.out());
            assertThat(json.get("conforms").asBoolean()).isFalse();
            JsonNode tables = json.get("categories").get(0);
            assertThat(tables.get("result").asText()).endsWith(" FAIL");
            assertThat(tables.get("missing")).isEmpty();
            assertThat(tables.get("unexpected").get(0).asText()).isEqualTo("intruder");
            assertThat(result.out()).contains("\"intruder.id integer\"", "\"intruder: iu_core_owner\"",
                    "\"intruder to iu_core_app: SELECT\"");
        } finally {
            DB.db().update("DROP TABLE intruder");
        }
    }

    @Test
    void aGrantBeyondDmlToTheRuntimeRoleFailsConformance() {
        DB.db().update("GRANT TRUNCATE, TRIGGER ON event_outbox TO " + TestPostgres.RUNTIME);
        try {
            Cli.Result result = iuCore("verify", "conformance");
            assertThat(result.exitCode()).isEqualTo(ExitCode.FAILED);
            assertThat(result.out())
                    .containsPattern("(?m)^unexpected \\| grants\\s+\\| event_outbox to iu_core_app: TRUNCATE$")
                    .containsPattern("(?m)^unexpected \\| grants\\s+\\| event_outbox to iu_core_app: TRIGGER$");
        } finally {
            DB.db().update("REVOKE TRUNCATE, TRIGGER ON event_outbox FROM " + TestPostgres.RUNTIME);
        }
    }

    @Test
    void aDeploymentWithOtherRoleNamesConformsToTheSameManifest() throws Exception {
        String otherRuntime = "iu_other_app";
        admin("CREATE ROLE " + otherRuntime + " LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB NOINHERIT");
        TestDb other = TestPostgres.emptyDatabase();
        try {
            new Migrator(other.owner(), otherRuntime).migrate();
            try (Connection c = other.owner().getConnection()) {
                SchemaConformance.Report report = SchemaConformance.check(c, new Roles(TestPostgres.OWNER, otherRuntime),
                        ConformanceManifest.packaged());
                assertThat(report.conforms()).as("%s", report.categories()).isTrue();
                // judged with the default runtime name instead, the grants go to a role the manifest does not know
                SchemaConformance.Report misnamed = SchemaConformance.check(c, ROLES, ConformanceManifest.packaged());
                assertThat(misnamed.conforms()).isFalse();
                assertThat(misnamed.categories()).filteredOn(cat -> cat.category().equals("grants")).singleElement()
                        .satisfies(grants -> {
                            assertThat(grants.missing()).contains("event_outbox to iu_core_app: INSERT");
                            assertThat(grants.unexpected()).contains("event_outbox to iu_other_app: INSERT");
                        });
            }
        } finally {
            other.close();
            admin("DROP ROLE " + otherRuntime);
        }
    }

    @Test
    void writeManifestWritesWhatTheDatabaseHolds(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("manifest.json");
        Cli.Result result = iuCore("verify", "conformance", "--write-manifest", file.toString());
        assertThat(result.exitCode()).isZero();
        ConformanceManifest packaged = ConformanceManifest.packaged();
        assertThat(result.out()).contains("wrote " + packaged.objectCount() + " objects in 13 categories");
        assertThat(Files.readString(file)).isEqualTo(
                Files.readString(Path.of("src/main/resources/conformance/manifest.json")));
    }

    private static void admin(String sql) throws Exception {
        try (Connection c = TestPostgres.server().superuser("postgres").getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
