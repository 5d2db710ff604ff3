package dev.iucore.pipeline.db;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The schema objects of {@code public} as the live catalog has them, per category, each as one
 * comparable line (name and definition). Migration tests compare inventories across apply and
 * rollback; conformance compares one with the expected manifest.
 */
public final class SchemaInventory {

    private static final Map<String, String> QUERIES = new LinkedHashMap<>();

    static {
        QUERIES.put("tables", """
                SELECT c.relname FROM pg_class c
                WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')""");
        QUERIES.put("columns", """
                SELECT c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
                       || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
                       || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
                FROM pg_attribute a
                JOIN pg_class c ON c.oid = a.attrelid
                LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v')
                  AND a.attnum > 0 AND NOT a.attisdropped""");
        QUERIES.put("indexes", """
                SELECT indexname || ': ' || indexdef FROM pg_indexes WHERE schemaname = 'public'""");
        QUERIES.put("constraints", """
                SELECT conrelid::regclass || '.' || conname || ': ' || pg_get_constraintdef(oid)
                FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid <> 0""");
        QUERIES.put("functions", """
                SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace""");
        QUERIES.put("triggers", """
                SELECT t.tgrelid::regclass || '.' || t.tgname || ': ' || pg_get_triggerdef(t.oid)
                FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace""");
        QUERIES.put("views", """
                SELECT viewname FROM pg_views WHERE schemaname = 'public'""");
        QUERIES.put("sequences", """
                SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'""");
        QUERIES.put("grants", """
                SELECT c.relname || ' to ' || r.rolname || ': ' || acl.privilege_type
                FROM pg_class c
                CROSS JOIN LATERAL aclexplode(c.relacl) acl
                JOIN pg_roles r ON r.oid = acl.grantee
                WHERE c.relnamespace = 'public'::regnamespace AND acl.grantee <> c.relowner""");
        QUERIES.put("default_privileges", """
                SELECT d.defaclobjtype::text || ' to ' || r.rolname || ': ' || acl.privilege_type
                FROM pg_default_acl d
                CROSS JOIN LATERAL aclexplode(d.defaclacl) acl
                JOIN pg_roles r ON r.oid = acl.grantee
                WHERE d.defaclnamespace = 'public'::regnamespace""");
        QUERIES.put("schema_usage", """
                SELECT r.rolname || ': ' || acl.privilege_type
                FROM pg_namespace n
                CROSS JOIN LATERAL aclexplode(n.nspacl) acl
                JOIN pg_roles r ON r.oid = acl.grantee
                WHERE n.nspname = 'public' AND acl.grantee <> n.nspowner""");
    }

    private SchemaInventory() {
    }

    public static Map<String, SortedSet<String>> read(Connection connection) throws SQLException {
        Map<String, SortedSet<String>> inventory = new LinkedHashMap<>();
        try (Statement s = connection.createStatement()) {
            for (Map.Entry<String, String> query : QUERIES.entrySet()) {
                SortedSet<String> objects = new TreeSet<>();
                try (ResultSet rs = s.executeQuery(query.getValue())) {
                    while (rs.next()) {
                        objects.add(rs.getString(1));
                    }
                }
                inventory.put(query.getKey(), objects);
            }
        }
        return inventory;
    }
}
