package dev.iucore.pipeline.control;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * One call of an audited control-plane function in a transaction of its own: the row it wrote is
 * read back and judged before anything commits, and a dry run rolls back what a real run would
 * commit (the audit row too), so it meets every check the real run meets.
 */
final class ControlWrite {

    /** Binds the call's parameters. */
    @FunctionalInterface
    interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    /** Reads the written row; throws to refuse it, which rolls everything back. */
    @FunctionalInterface
    interface Judge<T> {
        T judge(ResultSet row) throws SQLException;
    }

    private ControlWrite() {
    }

    static <T> T call(DataSource dataSource, String sql, Binder binder, Judge<T> judge, boolean dryRun)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                binder.bind(ps);
                T written;
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    written = judge.judge(rs);
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
