package dev.iucore.pipeline.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * For the relay's statements, which must read the head of their indexes whatever the planner was told:
 * tables emptied and analysed (the statistics of a new install or a purge, which stay until
 * autovacuum's next analyze), and what one transaction read of them, counted exactly.
 */
public final class StaleStatistics {

    private StaleStatistics() {
    }

    /** Empties the tables and analyses them empty. */
    public static void emptyAndAnalysed(TestDb db, String... tables) throws SQLException {
        String list = String.join(", ", tables);
        try (Connection owner = db.owner().getConnection(); Statement s = owner.createStatement()) {
            s.execute("TRUNCATE " + list + " CASCADE");
            s.execute("VACUUM ANALYZE " + list);
        }
    }

    /**
     * Rows of each table this backend has read (sequentially, or fetched through an index: a walk of a
     * whole index counts every row it visits) and not yet reported to the statistics: within one
     * transaction, the difference of two readings is what ran between them, counted exactly.
     */
    public static Map<String, Long> rowsRead(Connection c, String... tables) throws SQLException {
        Map<String, Long> read = new HashMap<>();
        for (String table : tables) {
            read.put(table, 0L);
        }
        for (Map<String, Object> row : TestDb.query(c, """
                SELECT relname, seq_tup_read + idx_tup_fetch AS rows_read FROM pg_stat_xact_user_tables
                 WHERE relname = ANY (?)""", (Object) tables)) {
            read.put((String) row.get("relname"), (Long) row.get("rows_read"));
        }
        return read;
    }

    /** Since {@code before} ({@link #rowsRead}, in this transaction), fewer than {@code limit} rows read of each table. */
    public static void assertFewRowsReadSince(Connection c, Map<String, Long> before, long limit) throws SQLException {
        Map<String, Long> after = rowsRead(c, before.keySet().toArray(String[]::new));
        before.forEach((table, rows) -> assertThat(after.get(table) - rows).as("%s rows read", table).isLessThan(limit));
    }
}
