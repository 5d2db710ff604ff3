package dev.iucore.pipeline.verify;

import dev.iucore.pipeline.db.SchemaInventory;
import dev.iucore.pipeline.db.SchemaInventory.Roles;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The live catalog as conformance sees it: the schema inventory of {@code public}, plus the three
 * roles of the deployment, which live in the cluster rather than the schema (so they are not part
 * of the inventory migrations compare across rollbacks).
 */
final class LiveSchema {

    /** Attributes that matter for the DML-only promise, and the roles each role is a member of. */
    static final String ROLES = """
            SELECT r.rolname,
                   concat_ws(', ', CASE WHEN r.rolcanlogin THEN 'login' ELSE 'nologin' END,
                             CASE WHEN r.rolsuper THEN 'superuser' END,
                             CASE WHEN r.rolcreaterole THEN 'createrole' END,
                             CASE WHEN r.rolcreatedb THEN 'createdb' END,
                             CASE WHEN r.rolreplication THEN 'replication' END,
                             CASE WHEN r.rolbypassrls THEN 'bypassrls' END),
                   ARRAY(SELECT pg_get_userbyid(m.roleid) FROM pg_auth_members m WHERE m.member = r.oid
                         ORDER BY 1)
            FROM pg_roles r WHERE r.rolname IN (?, ?, ?)""";
    static final String HISTORY_EXISTS = "SELECT to_regclass('public.flyway_schema_history') IS NOT NULL";
    static final String APPLIED = "SELECT version FROM flyway_schema_history WHERE success AND version IS NOT NULL";
    static final String SCHEMA_VERSION = """
            SELECT version FROM flyway_schema_history
            WHERE success AND version IS NOT NULL ORDER BY string_to_array(version, '.')::int[] DESC LIMIT 1""";

    private LiveSchema() {
    }

    /** Every category of the manifest, read from the live catalog. */
    static Map<String, SortedSet<String>> read(Connection connection, Roles roles) throws SQLException {
        Map<String, SortedSet<String>> live = SchemaInventory.read(connection, roles);
        live.put("roles", roles(connection, roles));
        return live;
    }

    /** Every version applied (none before the first migration). */
    static Set<String> appliedVersions(Connection connection) throws SQLException {
        Set<String> versions = new HashSet<>();
        try (Statement s = connection.createStatement()) {
            try (ResultSet rs = s.executeQuery(HISTORY_EXISTS)) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return versions;
                }
            }
            try (ResultSet rs = s.executeQuery(APPLIED)) {
                while (rs.next()) {
                    versions.add(rs.getString(1));
                }
            }
        }
        return versions;
    }

    /** The highest version applied, if any (an optional step applied late is not the schema's version). */
    static Optional<String> schemaVersion(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement()) {
            try (ResultSet rs = s.executeQuery(HISTORY_EXISTS)) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return Optional.empty();
                }
            }
            try (ResultSet rs = s.executeQuery(SCHEMA_VERSION)) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    private static SortedSet<String> roles(Connection connection, Roles roles) throws SQLException {
        SortedSet<String> lines = new TreeSet<>();
        try (PreparedStatement ps = connection.prepareStatement(ROLES)) {
            ps.setString(1, roles.owner());
            ps.setString(2, roles.runtime());
            ps.setString(3, roles.scheduler());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    StringBuilder line = new StringBuilder(roles.render(rs.getString(1))).append(": ").append(rs.getString(2));
                    List<String> memberOf = new ArrayList<>();
                    Array groups = rs.getArray(3);
                    for (String group : (String[]) groups.getArray()) {
                        memberOf.add(roles.render(group));
                    }
                    if (!memberOf.isEmpty()) {
                        line.append(", member of ").append(String.join(" ", memberOf));
                    }
                    lines.add(line.toString());
                }
            }
        }
        return lines;
    }
}
