package dev.iucore.pipeline.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A statement read from a {@code .sql} resource beside the class that runs it, with named
 * parameters ({@code :name}) instead of positional ones, so a long query reads as SQL and its
 * bindings by name. A name may appear several times; {@code ::casts} and quoted text are left alone.
 */
public final class NamedSql {

    private final String resource;
    private final String jdbcSql;
    private final List<String> order;

    private NamedSql(String resource, String jdbcSql, List<String> order) {
        this.resource = resource;
        this.jdbcSql = jdbcSql;
        this.order = order;
    }

    /** Reads {@code name} from the package of {@code owner} on the classpath. */
    public static NamedSql load(Class<?> owner, String name) {
        String resource = owner.getPackageName().replace('.', '/') + "/" + name;
        return parse(resource, SqlScripts.read(resource));
    }

    static NamedSql parse(String resource, String sql) {
        StringBuilder out = new StringBuilder(sql.length());
        List<String> order = new ArrayList<>();
        int i = 0;
        while (i < sql.length()) {
            char ch = sql.charAt(i);
            if (ch == '\'' || ch == '"') {
                int end = sql.indexOf(ch, i + 1);
                end = end < 0 ? sql.length() : end + 1;
                out.append(sql, i, end);
                i = end;
            } else if (ch == '-' && sql.startsWith("--", i)) {
                int end = sql.indexOf('\n', i);
                end = end < 0 ? sql.length() : end;
                out.append(sql, i, end);
                i = end;
            } else if (ch == ':' && sql.startsWith("::", i)) {
                out.append("::");
                i += 2;
            } else if (ch == ':' && i + 1 < sql.length() && Character.isJavaIdentifierStart(sql.charAt(i + 1))) {
                int end = i + 1;
                while (end < sql.length() && Character.isJavaIdentifierPart(sql.charAt(end))) {
                    end++;
                }
                order.add(sql.substring(i + 1, end));
                out.append('?');
                i = end;
            } else {
                out.append(ch);
                i++;
            }
        }
        return new NamedSql(resource, out.toString(), List.copyOf(order));
    }

    /** Prepares the statement and binds every parameter by name; a missing name is a programming error. */
    public PreparedStatement prepare(Connection connection, Map<String, ?> parameters) throws SQLException {
        PreparedStatement ps = connection.prepareStatement(jdbcSql);
        try {
            for (int index = 0; index < order.size(); index++) {
                String name = order.get(index);
                if (!parameters.containsKey(name)) {
                    throw new IllegalArgumentException(resource + " needs parameter :" + name);
                }
                ps.setObject(index + 1, parameters.get(name));
            }
            return ps;
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
    }

    public String jdbcSql() {
        return jdbcSql;
    }
}
