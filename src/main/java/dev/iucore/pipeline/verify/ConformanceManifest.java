package dev.iucore.pipeline.verify;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.iucore.pipeline.db.Migrator;
import dev.iucore.pipeline.db.SchemaInventory;
import dev.iucore.pipeline.db.SchemaInventory.Roles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.sql.DataSource;

/**
 * The schema objects the migrations produce, per category, as committed in
 * {@code src/main/resources/conformance/manifest.json}. It is generated from a freshly migrated
 * database ({@code iu-core verify conformance --write-manifest <file>}) and a test fails when it
 * no longer matches the migrations. Role names are kept as the placeholders
 * {@code ${owner_role}}, {@code ${runtime_role}} and {@code ${scheduler_role}}, so one manifest fits every deployment.
 */
public record ConformanceManifest(String schemaVersion, Map<String, SortedSet<String>> categories,
                                  Map<String, OptionalStep> optionalSteps) {

    /** Where the build packages the committed manifest. */
    public static final String RESOURCE = "conformance/manifest.json";
    /** Bumped when the layout of the file changes, not when the schema does (2: optional steps). */
    static final int FORMAT = 2;

    private static final ObjectMapper JSON = new ObjectMapper();

    public ConformanceManifest {
        categories = frozen(categories);
        optionalSteps = Collections.unmodifiableMap(new TreeMap<>(optionalSteps));
    }

    /**
     * The objects one optional step of the migrations adds (Migrator): expected only where the
     * step is applied, so a step the owner role was refused shows as one named blocked item.
     */
    public record OptionalStep(String description, Map<String, SortedSet<String>> categories) {
        public OptionalStep {
            categories = frozen(categories);
        }
    }

    private static Map<String, SortedSet<String>> frozen(Map<String, SortedSet<String>> categories) {
        Map<String, SortedSet<String>> copy = new LinkedHashMap<>();
        categories.forEach((name, objects) -> copy.put(name, Collections.unmodifiableSortedSet(new TreeSet<>(objects))));
        return Collections.unmodifiableMap(copy);
    }

    /** The manifest this build ships. */
    public static ConformanceManifest packaged() {
        try (InputStream in = ConformanceManifest.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the conformance manifest " + RESOURCE + " is not on the classpath");
            }
            return parse(JSON.readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the conformance manifest " + RESOURCE, e);
        }
    }

    /**
     * What a fully migrated database's catalog holds now, to be written as the manifest: read
     * through {@code connection}, and each optional step's objects found by undoing the step in a
     * transaction of the owner's that is rolled back (its rollback file gives exactly the schema
     * before it, which MigrationsTest checks).
     */
    public static ConformanceManifest fromLive(Connection connection, Roles roles, DataSource owner, Migrator migrator)
            throws SQLException {
        Map<String, OptionalStep> steps = new TreeMap<>();
        for (Map.Entry<String, String> step : migrator.optional().entrySet()) {
            try (Connection c = owner.getConnection()) {
                c.setAutoCommit(false);
                try {
                    Map<String, SortedSet<String>> with = LiveSchema.read(c, roles);
                    migrator.undoWithin(c, step.getKey());
                    Map<String, SortedSet<String>> without = LiveSchema.read(c, roles);
                    Map<String, SortedSet<String>> added = new LinkedHashMap<>();
                    with.forEach((category, objects) -> {
                        SortedSet<String> only = new TreeSet<>(objects);
                        only.removeAll(without.getOrDefault(category, new TreeSet<>()));
                        if (!only.isEmpty()) {
                            added.put(category, only);
                        }
                    });
                    steps.put(step.getKey(), new OptionalStep(step.getValue(), added));
                } finally {
                    c.rollback();
                }
            }
        }
        return new ConformanceManifest(LiveSchema.schemaVersion(connection).orElse("none"),
                LiveSchema.read(connection, roles), steps);
    }

    public int objectCount() {
        return categories.values().stream().mapToInt(SortedSet::size).sum();
    }

    /** Writes the manifest with one object per line, so a migration's change reads as a plain diff. */
    public void write(Path file) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("schema_version", schemaVersion);
        ObjectNode placeholders = root.putObject("placeholders");
        placeholders.put(SchemaInventory.OWNER_ROLE, "the owner role: iu.db.owner-user");
        placeholders.put(SchemaInventory.RUNTIME_ROLE, "the runtime role: iu.db.user");
        placeholders.put(SchemaInventory.SCHEDULER_ROLE, "the scheduler role (Quartz): iu.db.scheduler-user");
        putCategories(root.putObject("categories"), categories);
        ObjectNode steps = root.putObject("optional_steps");
        optionalSteps.forEach((version, step) -> {
            ObjectNode node = steps.putObject(version);
            node.put("description", step.description());
            putCategories(node.putObject("categories"), step.categories());
        });
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                .withArrayIndenter(new DefaultIndenter("  ", "\n"));
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, JSON.writer(printer).writeValueAsString(root) + "\n", StandardCharsets.UTF_8);
    }

    private static void putCategories(ObjectNode node, Map<String, SortedSet<String>> categories) {
        categories.forEach((name, lines) -> {
            ArrayNode array = node.putArray(name);
            lines.forEach(array::add);
        });
    }

    private static ConformanceManifest parse(JsonNode root) {
        int format = root.path("format").asInt(-1);
        if (format != FORMAT) {
            throw new IllegalStateException("the conformance manifest has format " + format + "; this build reads "
                    + FORMAT + ": regenerate it (README, Conformance)");
        }
        Map<String, OptionalStep> steps = new TreeMap<>();
        root.path("optional_steps").fields().forEachRemaining(step -> steps.put(step.getKey(),
                new OptionalStep(step.getValue().path("description").asText(), categories(step.getValue().path("categories")))));
        return new ConformanceManifest(root.path("schema_version").asText("none"), categories(root.path("categories")), steps);
    }

    private static Map<String, SortedSet<String>> categories(JsonNode node) {
        Map<String, SortedSet<String>> categories = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            SortedSet<String> lines = new TreeSet<>();
            field.getValue().forEach(line -> lines.add(line.asText()));
            categories.put(field.getKey(), lines);
        }
        return categories;
    }
}
