package dev.iucore.pipeline.demo;

import dev.iucore.pipeline.db.SqlScripts;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/** Loads the demo data set in one transaction; loading it again adds nothing. */
public final class DemoDataLoader {

    static final String SCRIPT = "demo/demo-data.sql";
    static final List<String> TABLES = List.of(
            "information_unit", "iu_collection_template_registry", "iu_collection_template_version");

    private final DataSource dataSource;

    public DemoDataLoader(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Loads what is missing; returns the rows added per table. */
    public Map<String, Long> load() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Map<String, Long> before = counts(c);
                try (Statement s = c.createStatement()) {
                    s.execute(SqlScripts.read(SCRIPT));
                }
                Map<String, Long> added = new LinkedHashMap<>();
                counts(c).forEach((table, after) -> added.put(table, after - before.get(table)));
                c.commit();
                return added;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static Map<String, Long> counts(Connection c) throws SQLException {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (Statement s = c.createStatement()) {
            for (String table : TABLES) {
                // table names are our own constants, never input
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
                    rs.next();
                    counts.put(table, rs.getLong(1));
                }
            }
        }
        return counts;
    }
}
