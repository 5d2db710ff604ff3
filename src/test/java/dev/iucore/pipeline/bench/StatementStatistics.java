package dev.iucore.pipeline.bench;

import dev.iucore.pipeline.db.EmbeddedPostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * Which statements the service spent a drain's database time on, from {@code pg_stat_statements}
 * ({@code -Dbench.statements=N}: the top N by time after each drain, printed below its section's
 * rows; 0, the default: off). The library must be preloaded, so the benchmark's server is started
 * with a superuser that logs in (a throwaway cluster), told to preload it, and restarted. The
 * statements run with the library tracking them: compare runs made with the switch alike.
 */
final class StatementStatistics {

    static final int TOP = Integer.getInteger("bench.statements", 0);

    /**
     * The service's statements (the benchmark's own setup and polls run as the owner, the counters'
     * reads as the superuser), each by its own text, comments dropped and whitespace folded, so its
     * first words say which it is.
     */
    private static final String TOP_STATEMENTS = """
            SELECT calls, total_exec_time, shared_blks_hit + shared_blks_read, rows,
                   btrim(regexp_replace(regexp_replace(query, '--[^\\n]*', '', 'g'), '\\s+', ' ', 'g'))
              FROM pg_stat_statements
             WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
               AND userid NOT IN (to_regrole(current_user), to_regrole(?))
             ORDER BY total_exec_time DESC LIMIT ?""";

    private final DataSource superuser;
    private final String benchmarkRole;

    private StatementStatistics(DataSource superuser, String benchmarkRole) {
        this.superuser = superuser;
        this.benchmarkRole = benchmarkRole;
    }

    /** Off: nothing is loaded, reset or printed. */
    static StatementStatistics off() {
        return new StatementStatistics(null, null);
    }

    /** A durable server in {@code dataDir} with {@code pg_stat_statements} loaded and created in the product's database. */
    static EmbeddedPostgresServer preloadedServer(Path dataDir, EmbeddedPostgresServer.RoleNames roles) throws SQLException {
        EmbeddedPostgresServer first = EmbeddedPostgresServer.startForTestFixture(dataDir, 0, "bench", roles, true);
        try (Connection c = first.superuser("postgres").getConnection(); Statement s = c.createStatement()) {
            s.execute("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'");
        } finally {
            first.close();
        }
        EmbeddedPostgresServer server = EmbeddedPostgresServer.startForTestFixture(dataDir, 0, "bench", roles, true);
        try (Connection c = server.superuser(EmbeddedPostgresServer.DATABASE).getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        }
        return server;
    }

    /** Reads and resets the counters of the server started by {@link #preloadedServer}; the benchmark's own statements run as {@code benchmarkRole}. */
    static StatementStatistics of(EmbeddedPostgresServer server, String benchmarkRole) {
        return new StatementStatistics(server.superuser(EmbeddedPostgresServer.DATABASE), benchmarkRole);
    }

    /** Before a drain: its statements only. */
    void reset() throws SQLException {
        if (superuser != null) {
            try (Connection c = superuser.getConnection(); Statement s = c.createStatement()) {
                s.execute("SELECT pg_stat_statements_reset()");
            }
        }
    }

    /** After a drain: its top statements by time, per event, as a table under a heading naming the drain. */
    void print(String drain, long events) throws SQLException {
        if (superuser == null) {
            return;
        }
        StringBuilder table = new StringBuilder("\nstatements, " + drain + " (pg_stat_statements, top " + TOP + " by time)\n\n"
                + "| statement | calls | time (ms) | µs an event | buffers an event | rows |\n|---|---|---|---|---|---|\n");
        try (Connection c = superuser.getConnection(); PreparedStatement ps = c.prepareStatement(TOP_STATEMENTS)) {
            ps.setString(1, benchmarkRole);
            ps.setInt(2, TOP);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String text = rs.getString(5);
                    table.append(String.format(Locale.ROOT, "| `%s` | %,d | %,.0f | %.1f | %.1f | %,d |%n",
                            text.length() > 90 ? text.substring(0, 90) + "…" : text, rs.getLong(1), rs.getDouble(2),
                            rs.getDouble(2) * 1000 / events, (double) rs.getLong(3) / events, rs.getLong(4)));
                }
            }
        }
        System.out.println(table);
    }
}
