package dev.iucore.pipeline.api;

import dev.iucore.pipeline.db.NamedSql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import javax.sql.DataSource;

/**
 * A read whose one row and column is already the answer: PostgreSQL builds the JSON
 * ({@code jsonb_agg(to_jsonb(row))}), so a listing needs no row mapper of its own.
 */
final class JsonQuery {

    private final DataSource dataSource;

    JsonQuery(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    String read(NamedSql sql, Map<String, ?> parameters) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = sql.prepare(c, parameters);
             ResultSet rs = ps.executeQuery()) {
            return rs.next() && rs.getString(1) != null ? rs.getString(1) : "null";
        }
    }
}
