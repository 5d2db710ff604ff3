package dev.iucore.pipeline.control;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * One call of an audited control-plane function in a transaction of its own, after a check of the
 * caller's that may refuse it; a dry run rolls back what a real run would commit (the audit row
 * too), so it meets every check the real run meets.
 */
final class ControlWrite {

    /** Binds the call's parameters. */
    @FunctionalInterface
    interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    /** Runs first, on the call's connection; throws to refuse the call. */
    @FunctionalInterface
    interface Check {
        void check(Connection c) throws SQLException;
    }

    /** Reads the written row. */
    @FunctionalInterface
    interface RowMapper<T> {
        T map(ResultSet row) throws SQLException;
    }

    private ControlWrite() {
    }

    static <T> T call(DataSource dataSource, Check check, String sql, Binder binder, RowMapper<T> mapper,
                      boolean dryRun) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                check.check(c);
                binder.bind(ps);
                T written;
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    written = mapper.map(rs);
                }
                if (dryRun) {
                    c.rollback();
                } else {
                    c.commit();
                }
                return written;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }
}
