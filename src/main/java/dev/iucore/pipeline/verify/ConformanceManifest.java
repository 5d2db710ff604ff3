package dev.iucore.pipeline.verify;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.TreeSet;

/**
 * The schema objects the migrations produce, per category, as committed in
 * {@code src/main/resources/conformance/manifest.json}. It is generated from a freshly migrated
 * database ({@code iu-core verify conformance --write-manifest <file>}) and a test fails when it
 * no longer matches the migrations. Role names are kept as the placeholders
 * {@code ${owner_role}}, {@code ${runtime_role}} and {@code ${scheduler_role}}, so one manifest fits every deployment.
 */
public record ConformanceManifest(String schemaVersion, Map<String, SortedSet<String>> categories) {

    /** Where the build packages the committed manifest. */
    public static final String RESOURCE = "conformance/manifest.json";
    /** Bumped when the layout of the file changes, not when the schema does. */
    static final int FORMAT = 1;

    private static final ObjectMapper JSON = new ObjectMapper();

    public ConformanceManifest {
        Map<String, SortedSet<String>> copy = new LinkedHashMap<>();
        categories.forEach((name, objects) -> copy.put(name, Collections.unmodifiableSortedSet(new TreeSet<>(objects))));
        categories = Collections.unmodifiableMap(copy);
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

    /** What a database's catalog holds now: to be written as the manifest of a freshly migrated one. */
    public static ConformanceManifest fromLive(Connection connection, Roles roles) throws SQLException {
        return new ConformanceManifest(LiveSchema.schemaVersion(connection).orElse("none"),
                LiveSchema.read(connection, roles));
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
        ObjectNode objects = root.putObject("categories");
        categories.forEach((name, lines) -> {
            ArrayNode array = objects.putArray(name);
            lines.forEach(array::add);
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

    private static ConformanceManifest parse(JsonNode root) {
        int format = root.path("format").asInt(-1);
        if (format != FORMAT) {
            throw new IllegalStateException("the conformance manifest has format " + format + "; this build reads "
                    + FORMAT + ": regenerate it (README, Conformance)");
        }
        Map<String, SortedSet<String>> categories = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = root.path("categories").fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            SortedSet<String> lines = new TreeSet<>();
            field.getValue().forEach(node -> lines.add(node.asText()));
            categories.put(field.getKey(), lines);
        }
        return new ConformanceManifest(root.path("schema_version").asText("none"), categories);
    }
}
