package dev.iucore.pipeline.verify;

import dev.iucore.pipeline.db.SchemaInventory;
import dev.iucore.pipeline.db.SchemaInventory.Roles;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Compares the expected manifest with the live catalog, category by category. An optional step of
 * the migrations that is not applied (its privilege was refused) is one named blocked item: its
 * objects are not expected, and nothing else is excused.
 */
public final class SchemaConformance {

    private SchemaConformance() {
    }

    public static Report check(Connection connection, Roles roles, ConformanceManifest manifest) throws SQLException {
        Map<String, SortedSet<String>> live = LiveSchema.read(connection, roles);
        Set<String> applied = LiveSchema.appliedVersions(connection);
        List<Blocked> blocked = new ArrayList<>();
        Map<String, SortedSet<String>> notExpected = new LinkedHashMap<>();
        manifest.optionalSteps().forEach((version, step) -> {
            if (!applied.contains(version)) {
                List<String> objects = new ArrayList<>();
                step.categories().forEach((category, lines) -> {
                    notExpected.computeIfAbsent(category, k -> new TreeSet<>()).addAll(lines);
                    lines.forEach(line -> objects.add(category + ": " + show(roles, line)));
                });
                blocked.add(new Blocked(version, step.description(), objects));
            }
        });
        Set<String> names = new LinkedHashSet<>(manifest.categories().keySet());
        names.addAll(live.keySet());
        List<Category> categories = new ArrayList<>();
        for (String name : names) {
            SortedSet<String> expected = new TreeSet<>(manifest.categories().getOrDefault(name, new TreeSet<>()));
            expected.removeAll(notExpected.getOrDefault(name, new TreeSet<>()));
            SortedSet<String> found = live.getOrDefault(name, new TreeSet<>());
            List<String> missing = expected.stream().filter(o -> !found.contains(o)).map(o -> show(roles, o)).toList();
            List<String> unexpected = found.stream().filter(o -> !expected.contains(o)).map(o -> show(roles, o)).toList();
            categories.add(new Category(name, expected.size(), found.size(), expected.size() - missing.size(),
                    missing, unexpected));
        }
        return new Report(manifest.schemaVersion(), LiveSchema.schemaVersion(connection).orElse("none"), categories, blocked);
    }

    /** An optional step not applied: its version, description and the objects it would add. */
    public record Blocked(String version, String description, List<String> objects) {
    }

    /** One category: counts, and each object missing from or unexpected in the live catalog. */
    public record Category(String category, int expected, int found, int matched,
                           List<String> missing, List<String> unexpected) {
        public boolean pass() {
            return missing.isEmpty() && unexpected.isEmpty();
        }

        /** {@code 24/24 PASS}, {@code 23/24 FAIL}: matched of expected. */
        public String result() {
            return matched + "/" + expected + (pass() ? " PASS" : " FAIL");
        }
    }

    public record Report(String manifestSchemaVersion, String liveSchemaVersion, List<Category> categories,
                         List<Blocked> blocked) {
        public boolean conforms() {
            return categories.stream().allMatch(Category::pass);
        }

        public int expectedObjects() {
            return categories.stream().mapToInt(Category::expected).sum();
        }

        public long passingCategories() {
            return categories.stream().filter(Category::pass).count();
        }
    }

    /** Placeholders back to this deployment's role names, for people reading the report. */
    private static String show(Roles roles, String line) {
        return line.replace(SchemaInventory.OWNER_ROLE, roles.owner()).replace(SchemaInventory.RUNTIME_ROLE, roles.runtime());
    }
}
