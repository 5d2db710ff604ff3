package dev.iucore.pipeline.health;

import dev.iucore.pipeline.db.Migrator;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.apache.camel.health.HealthCheckResultBuilder;

/**
 * Readiness: every required migration this build packages is applied (an optional step the owner
 * role was refused, such as the envelope trigger, is named but does not stop the service). The packaged versions are read once
 * (Flyway's scan of the jar); each check then compares them with {@code flyway_schema_history},
 * which the runtime role may read (migration V001). A database ahead of the build (versions this
 * build does not know, as during a rolling upgrade) stays ready and says so.
 */
public final class MigrationsReadiness extends DatabaseCheck {

    public static final String ID = "iu-migrations";

    static final String APPLIED = """
            SELECT version FROM flyway_schema_history WHERE success AND version IS NOT NULL""";
    static final String HISTORY_EXISTS = "SELECT to_regclass('public.flyway_schema_history') IS NOT NULL";

    private final Supplier<Migrator> migrator;
    private volatile List<String> packaged;
    private volatile Map<String, String> optional;

    public MigrationsReadiness(DataSource runtime, String runtimeRole) {
        super(ID, runtime);
        this.migrator = () -> new Migrator(runtime, runtimeRole);
    }

    @Override
    void check(Connection connection, HealthCheckResultBuilder builder) throws SQLException {
        Set<String> applied = applied(connection);
        List<String> pending = new ArrayList<>(packaged());
        pending.removeAll(applied);
        List<String> optionalPending = pending.stream().filter(optional()::containsKey)
                .map(v -> v + " (" + optional().get(v) + ")").toList();
        pending.removeIf(optional()::containsKey);
        if (!pending.isEmpty()) {
            builder.down().message("migrations not applied: " + String.join(", ", pending)
                    + " (run `iu-core migrate` as the owner role)");
            return;
        }
        Set<String> unknown = new HashSet<>(applied);
        unknown.removeAll(packaged());
        builder.up().message((unknown.isEmpty() ? "all " + applied.size() + " migrations applied"
                : "database is ahead of this build (also applied: " + String.join(", ", unknown.stream().sorted().toList()) + ")")
                + (optionalPending.isEmpty() ? "" : "; optional step not applied: " + String.join(", ", optionalPending)
                        + " (`iu-core migrate` says what it needs)"));
    }

    private List<String> packaged() {
        if (packaged == null) {
            Migrator m = migrator.get();
            optional = m.optional();
            packaged = m.packaged();
        }
        return packaged;
    }

    private Map<String, String> optional() {
        packaged();
        return optional;
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
