package dev.iucore.pipeline.verify;

import dev.iucore.pipeline.db.SchemaInventory;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

/**
 * The regression matrix's rows beyond table counts, as the field report kept them: the schema's
 * conformance ({@code verify conformance} against the packaged manifest) and the event boundary's
 * verdict ({@code iu_core_boundary_invariant}, without the probe), read in the snapshot's transaction.
 */
final class VerdictSurfaces {

    /** Categories passing, objects missing or unexpected; 1 while every internal-only type holds, the fewest layers holding. */
    static final List<String> SURFACES = List.of("conformance:categories_passing", "conformance:deviations",
            "boundary:internal_only_holds", "boundary:min_layers_holding");

    // the owner is whoever applied the migrations; snapshots are taken as the runtime role
    static final String ROLES = """
            SELECT coalesce((SELECT pg_get_userbyid(relowner) FROM pg_class
                              WHERE oid = to_regclass('public.flyway_schema_history')), current_user), current_user""";
    static final String BOUNDARY = "SELECT internal_only_holds, coalesce(min_layers_holding, 0) FROM iu_core_boundary_invariant";

    private VerdictSurfaces() {
    }

    static void count(Connection c, Map<String, Long> counts, Runnable afterEachSurface) throws SQLException {
        SchemaConformance.Report conformance = SchemaConformance.check(c, roles(c), ConformanceManifest.packaged());
        counts.put(SURFACES.get(0), conformance.passingCategories());
        counts.put(SURFACES.get(1), conformance.categories().stream()
                .mapToLong(k -> k.missing().size() + k.unexpected().size()).sum());
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(BOUNDARY)) {
            rs.next();
            counts.put(SURFACES.get(2), rs.getBoolean(1) ? 1L : 0L);
            counts.put(SURFACES.get(3), rs.getLong(2));
        }
        SURFACES.forEach(surface -> afterEachSurface.run());
    }

    private static SchemaInventory.Roles roles(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(ROLES)) {
            rs.next();
            return new SchemaInventory.Roles(rs.getString(1), rs.getString(2));
        }
    }
}
