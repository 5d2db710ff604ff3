package dev.iucore.pipeline.cli;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes invocations to {@code iu_command_log} (append-only: a row is added, then finished once),
 * on its own connection so a command's rolled-back work never takes its log row with it. A log that
 * cannot be written (no schema yet, a database that is gone) warns and never changes the command's
 * exit code.
 */
final class CommandLog {

    private static final Logger LOG = LoggerFactory.getLogger(CommandLog.class);
    private static final int MAX_MESSAGE = 2000;
    private static final String UNDEFINED_TABLE = "42P01";

    static final String BEGIN = """
            INSERT INTO iu_command_log (command_name, actor, arguments, dry_run, outcome, node, started_at)
            VALUES (?, ?, ?::jsonb, ?, 'running', ?, ?) RETURNING id""";
    /** The log is append-only for the runtime role: its own running row is finished by this function (V023). */
    static final String FINISH = "SELECT fn_iu_command_log_finish(?, ?, ?, ?, ?::jsonb, ?, ?)";
    static final String RECORD = """
            INSERT INTO iu_command_log (command_name, actor, arguments, dry_run, outcome, exit_code, message,
                                        row_deltas, node, started_at, finished_at, duration_ms)
            VALUES (?, ?, ?::jsonb, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?)""";

    private final DataSource dataSource;
    private final PrintStream err;

    CommandLog(DataSource dataSource, PrintStream err) {
        this.dataSource = dataSource;
        this.err = err;
    }

    void begin(Invocation invocation) {
        write(invocation, c -> {
            try (PreparedStatement ps = c.prepareStatement(BEGIN)) {
                ps.setString(1, invocation.commandName());
                ps.setString(2, invocation.actor());
                ps.setString(3, Output.toJson(invocation.arguments()));
                ps.setBoolean(4, invocation.dryRun());
                ps.setString(5, invocation.node());
                ps.setObject(6, invocation.startedAt());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    invocation.id(rs.getLong(1));
                }
            }
        });
    }

    void finish(Invocation invocation) {
        write(invocation, c -> {
            if (invocation.id() != null) {
                try (PreparedStatement ps = c.prepareStatement(FINISH)) {
                    ps.setLong(1, invocation.id());
                    ps.setString(2, invocation.outcome().sqlName());
                    ps.setObject(3, invocation.exitCode(), Types.INTEGER);
                    ps.setString(4, bounded(invocation.message()));
                    ps.setString(5, deltas(invocation));
                    ps.setObject(6, invocation.finishedAt());
                    ps.setLong(7, invocation.durationMs());
                    ps.execute();
                }
                return;
            }
            try (PreparedStatement ps = c.prepareStatement(RECORD)) {
                ps.setString(1, invocation.commandName());
                ps.setString(2, invocation.actor());
                ps.setString(3, Output.toJson(invocation.arguments()));
                ps.setBoolean(4, invocation.dryRun());
                ps.setString(5, invocation.outcome().sqlName());
                ps.setObject(6, invocation.exitCode());
                ps.setString(7, bounded(invocation.message()));
                ps.setString(8, deltas(invocation));
                ps.setString(9, invocation.node());
                ps.setObject(10, invocation.startedAt());
                ps.setObject(11, invocation.finishedAt());
                ps.setLong(12, invocation.durationMs());
                ps.executeUpdate();
            }
        });
    }

    private void write(Invocation invocation, SqlWork work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            work.run(c);
        } catch (SQLException e) {
            if (UNDEFINED_TABLE.equals(e.getSQLState())) {
                // before the first migration, or after rolling back the last one, there is no log to write
                LOG.debug("iu_command_log does not exist; `{}` is not recorded", invocation.commandName());
                return;
            }
            err.println("iu-core: warning: could not record `" + invocation.commandName()
                    + "` in iu_command_log: " + Errors.describe(e));
        }
    }

    private static String deltas(Invocation invocation) {
        return invocation.rowDeltas().isEmpty() ? null : Output.toJson(invocation.rowDeltas());
    }

    private static String bounded(String message) {
        if (message == null || message.length() <= MAX_MESSAGE) {
            return message;
        }
        return message.substring(0, MAX_MESSAGE - 1) + "…";
    }

    @FunctionalInterface
    private interface SqlWork {
        void run(Connection connection) throws SQLException;
    }
}
