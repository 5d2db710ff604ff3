package dev.iucore.pipeline.health;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.apache.camel.health.HealthCheckResultBuilder;

/** Readiness: the runtime role's pool hands out a connection and the database answers a query. */
public final class DatabaseReadiness extends DatabaseCheck {

    public static final String ID = "iu-database";

    public DatabaseReadiness(DataSource dataSource) {
        super(ID, dataSource);
    }

    @Override
    void check(Connection connection, HealthCheckResultBuilder builder) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT 1"); ResultSet rs = ps.executeQuery()) {
            rs.next();
        }
        builder.up();
    }
}
