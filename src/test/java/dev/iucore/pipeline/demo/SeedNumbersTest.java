package dev.iucore.pipeline.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.iucore.pipeline.testing.DatabaseExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The README's table "The seed against the field report": its column "here" is what a migrated,
 * demo-loaded database holds, table by table, and every number the field report states is either
 * reproduced or explained.
 */
class SeedNumbersTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final String SECTION = "### The seed against the field report";
    /** {@code | `table` | field report | here | why |} */
    private static final Pattern ROW = Pattern.compile("(?m)^\\| `([a-z_]+)` \\| (\\d+) \\| (\\d+) \\| (.+) \\|$");

    @Test
    void theReadmesSeedNumbersAreWhatAMigratedDemoLoadedDatabaseHoldsAndEachDifferenceIsExplained() throws Exception {
        new DemoDataLoader(DB.db().runtime()).load();
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf(SECTION);
        assertThat(start).as("README section %s", SECTION).isNotNegative();
        String section = readme.substring(start, readme.indexOf("\n#", start + SECTION.length()));

        Map<String, Long> stated = new LinkedHashMap<>();
        Map<String, Long> live = new LinkedHashMap<>();
        Matcher row = ROW.matcher(section);
        while (row.find()) {
            String table = row.group(1);
            long field = Long.parseLong(row.group(2));
            long here = Long.parseLong(row.group(3));
            stated.put(table, here);
            live.put(table, DB.db().count(table));
            if (field == here) {
                assertThat(row.group(4)).as("why for %s", table).startsWith("Reproduced");
            } else {
                assertThat(row.group(4)).as("why for %s: a difference says why", table).startsWith("Not reproduced")
                        .hasSizeGreaterThan("Not reproduced".length() + 20);
            }
        }
        assertThat(stated).as("the tables the field report counts").containsKeys("event_type_registry",
                "dot_iu_command_catalog", "iu_collection_template_registry", "iu_collection_template_version",
                "iu_core_retention_policy", "iu_core_gate", "information_unit", "event_outbox");
        assertThat(stated).as("README, %s: the column \"here\"", SECTION).isEqualTo(live);
    }
}
