package dev.iucore.pipeline.health;

import dev.iucore.pipeline.db.Migrator;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.apache.camel.health.HealthCheckResultBuilder;

/**
 * Readiness: every migration this build packages is applied. The packaged versions are read once
 * (Flyway's scan of the jar); each check then compares them with {@code flyway_schema_history},
 * which the runtime role may read (migration V001). A database ahead of the build (versions this
 * build does not know, as during a rolling upgrade) stays ready and says so.
 */
public final class MigrationsReadiness extends DatabaseCheck {

    public static final String ID = "iu-migrations";

    static final String APPLIED = """
            SELECT version FROM flyway_schema_history WHERE success AND version IS NOT NULL""";
    static final String HISTORY_EXISTS = "SELECT to_regclass('public.flyway_schema_history') IS NOT NULL";

    private final Supplier<List<String>> packagedVersions;
    private volatile List<String> packaged;

    public MigrationsReadiness(DataSource runtime, String runtimeRole) {
        super(ID, runtime);
        this.packagedVersions = () -> new Migrator(runtime, runtimeRole).packaged();
    }

    @Override
    void check(Connection connection, HealthCheckResultBuilder builder) throws SQLException {
        Set<String> applied = applied(connection);
        List<String> pending = new ArrayList<>(packaged());
        pending.removeAll(applied);
        if (!pending.isEmpty()) {
            builder.down().message("migrations not applied: " + String.join(", ", pending)
                    + " (run `iu-core migrate` as the owner role)");
            return;
        }
        Set<String> unknown = new HashSet<>(applied);
        unknown.removeAll(packaged());
        builder.up().message(unknown.isEmpty() ? "all " + applied.size() + " migrations applied"
                : "database is ahead of this build (also applied: " + String.join(", ", unknown.stream().sorted().toList()) + ")");
    }

    private List<String> packaged() {
        if (packaged == null) {
            packaged = packagedVersions.get();
        }
        return packaged;
    }

    private static Set<String> applied(Connection connection) throws SQLException {
        Set<String> versions = new HashSet<>();
        try (PreparedStatement ps = connection.prepareStatement(HISTORY_EXISTS); ResultSet rs = ps.executeQuery()) {
            rs.next();
            if (!rs.getBoolean(1)) {
                return versions;
            }
        }
        try (PreparedStatement ps = connection.prepareStatement(APPLIED); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                versions.add(rs.getString(1));
            }
        }
        return versions;
    }
}
