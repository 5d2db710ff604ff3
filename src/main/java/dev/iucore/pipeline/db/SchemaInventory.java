package dev.iucore.pipeline.db;

import dev.iucore.pipeline.config.Setting;
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
 *
 * <p>The owner, runtime and scheduler roles appear as {@code ${owner_role}}, {@code ${runtime_role}}
 * and {@code ${scheduler_role}} (the migrations' own placeholders), so one inventory fits every
 * deployment whatever its role names; any other role appears by name, {@code PUBLIC} as such.
 */
public final class SchemaInventory {

    public static final String OWNER_ROLE = "${owner_role}";
    public static final String RUNTIME_ROLE = "${runtime_role}";
    public static final String SCHEDULER_ROLE = "${scheduler_role}";

    private static final Map<String, Category> CATEGORIES = new LinkedHashMap<>();

    static {
        plain("tables", """
                SELECT c.relname FROM pg_class c
                WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')""");
        plain("columns", """
                SELECT c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
                       || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
                       || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
                FROM pg_attribute a
                JOIN pg_class c ON c.oid = a.attrelid
                LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v')
                  AND a.attnum > 0 AND NOT a.attisdropped""");
        plain("indexes", """
                SELECT indexname || ': ' || indexdef FROM pg_indexes WHERE schemaname = 'public'""");
        plain("constraints", """
                SELECT conrelid::regclass || '.' || conname || ': ' || pg_get_constraintdef(oid)
                FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid <> 0""");
        plain("functions", """
                SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace""");
        plain("triggers", """
                SELECT t.tgrelid::regclass || '.' || t.tgname || ': ' || pg_get_triggerdef(t.oid)
                FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace""");
        plain("views", """
                SELECT viewname FROM pg_views WHERE schemaname = 'public'""");
        plain("sequences", """
                SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'""");
        // who owns each relation and function: a runtime role owning one could alter or drop it
        // (relname as text: the union would otherwise cut a function's signature to a name's 63 bytes)
        withRoles("owners", """
                SELECT c.relname::text, pg_get_userbyid(c.relowner) FROM pg_class c
                WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
                UNION ALL
                SELECT p.oid::regprocedure::text, pg_get_userbyid(p.proowner) FROM pg_proc p
                WHERE p.pronamespace = 'public'::regnamespace""",
                (rs, roles) -> rs.getString(1) + ": " + roles.render(rs.getString(2)));
        // PUBLIC is grantee 0, which no pg_roles row matches: hence the left join
        withRoles("grants", """
                SELECT c.relname::text, r.rolname, acl.privilege_type
                FROM pg_class c
                CROSS JOIN LATERAL aclexplode(c.relacl) acl
                LEFT JOIN pg_roles r ON r.oid = acl.grantee
                WHERE c.relnamespace = 'public'::regnamespace AND acl.grantee <> c.relowner
                UNION ALL
                SELECT p.oid::regprocedure::text, r.rolname, acl.privilege_type
                FROM pg_proc p
                CROSS JOIN LATERAL aclexplode(p.proacl) acl
                LEFT JOIN pg_roles r ON r.oid = acl.grantee
                WHERE p.pronamespace = 'public'::regnamespace AND acl.grantee <> p.proowner""",
                (rs, roles) -> rs.getString(1) + " to " + roles.render(rs.getString(2)) + ": " + rs.getString(3));
        withRoles("default_privileges", """
                SELECT CASE d.defaclobjtype WHEN 'r' THEN 'tables' WHEN 'S' THEN 'sequences' WHEN 'f' THEN 'functions'
                                            WHEN 'T' THEN 'types' ELSE 'schemas' END,
                       pg_get_userbyid(d.defaclrole), r.rolname, acl.privilege_type
                FROM pg_default_acl d
                CROSS JOIN LATERAL aclexplode(d.defaclacl) acl
                LEFT JOIN pg_roles r ON r.oid = acl.grantee
                WHERE d.defaclnamespace = 'public'::regnamespace""",
                (rs, roles) -> rs.getString(1) + " of " + roles.render(rs.getString(2)) + " to "
                        + roles.render(rs.getString(3)) + ": " + rs.getString(4));
        withRoles("schema_usage", """
                SELECT r.rolname, acl.privilege_type
                FROM pg_namespace n
                CROSS JOIN LATERAL aclexplode(n.nspacl) acl
                JOIN pg_roles r ON r.oid = acl.grantee
                WHERE n.nspname = 'public' AND acl.grantee <> n.nspowner""",
                (rs, roles) -> roles.render(rs.getString(1)) + ": " + rs.getString(2));
    }

    private SchemaInventory() {
    }

    /** Every category, in a fixed order, each a sorted set of lines. */
    public static Map<String, SortedSet<String>> read(Connection connection, Roles roles) throws SQLException {
        Map<String, SortedSet<String>> inventory = new LinkedHashMap<>();
        try (Statement s = connection.createStatement()) {
            for (Map.Entry<String, Category> category : CATEGORIES.entrySet()) {
                SortedSet<String> objects = new TreeSet<>();
                try (ResultSet rs = s.executeQuery(category.getValue().sql())) {
                    while (rs.next()) {
                        objects.add(category.getValue().line().format(rs, roles));
                    }
                }
                inventory.put(category.getKey(), objects);
            }
        }
        return inventory;
    }

    private static void plain(String name, String sql) {
        CATEGORIES.put(name, new Category(sql, (rs, roles) -> rs.getString(1)));
    }

    private static void withRoles(String name, String sql, Line line) {
        CATEGORIES.put(name, new Category(sql, line));
    }

    /** The deployment's role names (iu.db.owner-user, iu.db.user, iu.db.scheduler-user), rendered as placeholders. */
    public record Roles(String owner, String runtime, String scheduler) {

        /** With the scheduler role's default name. */
        public Roles(String owner, String runtime) {
            this(owner, runtime, Setting.DB_SCHEDULER_USER.defaultValue());
        }

        /** A role name as an inventory line shows it; null is the PUBLIC pseudo-role. */
        public String render(String role) {
            if (role == null) {
                return "PUBLIC";
            }
            if (role.equals(owner)) {
                return OWNER_ROLE;
            }
            if (role.equals(scheduler)) {
                return SCHEDULER_ROLE;
            }
            return role.equals(runtime) ? RUNTIME_ROLE : role;
        }
    }

    private record Category(String sql, Line line) {
    }

    @FunctionalInterface
    private interface Line {
        String format(ResultSet rs, Roles roles) throws SQLException;
    }
}
