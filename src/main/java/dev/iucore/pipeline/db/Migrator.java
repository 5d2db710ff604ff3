package dev.iucore.pipeline.db;

import dev.iucore.pipeline.config.ConfigurationException;
import dev.iucore.pipeline.config.Setting;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the migrations in {@code sql/} with Flyway as the owner role, and rolls them back with
 * their {@code sql/rollback/} files (Flyway's own undo is not in its community edition).
 */
public final class Migrator {

    public static final String MIGRATIONS = "classpath:db/migration";
    static final String ROLLBACKS = "db/rollback/";
    static final String HISTORY_TABLE = "flyway_schema_history";

    private static final Logger LOG = LoggerFactory.getLogger(Migrator.class);

    private static final String HISTORY_EXISTS = "SELECT to_regclass('public." + HISTORY_TABLE + "') IS NOT NULL";
    private static final String APPLIED = "SELECT installed_rank, version, description, script FROM "
            + HISTORY_TABLE + " WHERE success AND version IS NOT NULL ORDER BY installed_rank DESC";
    private static final String FORGET = "DELETE FROM " + HISTORY_TABLE + " WHERE installed_rank = ?";
    private static final String REMAINING = "SELECT count(*) FROM " + HISTORY_TABLE;
    private static final String DROP_HISTORY = "DROP TABLE " + HISTORY_TABLE;

    private final DataSource owner;
    private final Map<String, String> placeholders;

    /** With the scheduler role's default name (iu.db.scheduler-user). */
    public Migrator(DataSource owner, String runtimeRole) {
        this(owner, runtimeRole, Setting.DB_SCHEDULER_USER.defaultValue());
    }

    public Migrator(DataSource owner, String runtimeRole, String schedulerRole) {
        this.owner = owner;
        this.placeholders = Map.of("runtime_role", plainIdentifier("runtime", Setting.DB_USER, runtimeRole),
                "scheduler_role", plainIdentifier("scheduler", Setting.DB_SCHEDULER_USER, schedulerRole));
    }

    /**
     * Role names come from the configuration and are written as they are into SQL the owner runs
     * (as identifiers and inside literals): only a plain lower-case identifier is accepted.
     */
    static String plainIdentifier(String role, Setting setting, String name) {
        if (name == null || !name.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new ConfigurationException("the " + role + " role name \"" + name + "\" (" + setting.key() + ", env "
                    + setting.envName() + ") must be a plain PostgreSQL identifier: lower-case letters, digits and _,"
                    + " not starting with a digit");
        }
        return name;
    }

    private Flyway flyway() {
        return flyway(MigrationVersion.LATEST);
    }

    private Flyway flyway(MigrationVersion target) {
        return Flyway.configure(Migrator.class.getClassLoader())
                .dataSource(owner)
                .locations(MIGRATIONS)
                .table(HISTORY_TABLE)
                .placeholders(placeholders)
                .target(target)
                .cleanDisabled(true)
                .load();
    }

    /** Applies every pending migration; returns the versions applied now. */
    public List<String> migrate() {
        return migrate(MigrationVersion.LATEST);
    }

    /** Applies pending migrations up to and including {@code version}. */
    public List<String> migrateTo(String version) {
        return migrate(MigrationVersion.fromVersion(version));
    }

    /**
     * @throws MigrationException when the connected role lacks a privilege a migration needs: it
     *         names the privilege, the object and the role that can apply it
     */
    private List<String> migrate(MigrationVersion target) {
        Flyway flyway = flyway(target);
        MigrateResult result;
        try {
            result = flyway.migrate();
        } catch (FlywayException e) {
            throw MissingPrivilege.explain(e, owner, flyway.info()).orElseThrow(() -> e);
        }
        List<String> applied = result.migrations.stream().map(m -> m.version).toList();
        if (!applied.isEmpty()) {
            LOG.info("applied migrations {}; schema now at version {}", applied, result.targetSchemaVersion);
        }
        return applied;
    }

    /** Every version this build ships, oldest first. */
    public List<String> available() {
        return Arrays.stream(flyway().info().all())
                .map(i -> i.getVersion())
                .sorted()
                .map(MigrationVersion::getVersion)
                .toList();
    }

    /**
     * Every version this build packages, oldest first, whatever the database has applied. It only
     * reads the history, so the runtime role may ask (the readiness check does).
     */
    public List<String> packaged() {
        return Arrays.stream(flyway().info().all())
                .filter(i -> i.getVersion() != null && i.getState().isResolved())
                .map(i -> i.getVersion())
                .sorted()
                .map(MigrationVersion::getVersion)
                .toList();
    }

    /** Versions known to this build but not yet applied. */
    public List<String> pending() {
        return Arrays.stream(flyway().info().pending()).map(i -> i.getVersion().getVersion()).toList();
    }

    /** Applied migrations, newest first. */
    public List<AppliedMigration> applied() {
        try (Connection c = owner.getConnection()) {
            return applied(c);
        } catch (SQLException e) {
            throw new MigrationException("cannot read the migration history: " + e.getMessage(), e);
        }
    }

    /** What {@link #rollback(String)} would undo: every applied version at or above the target, newest first. */
    public List<AppliedMigration> rollbackPlan(String version) {
        MigrationVersion target = MigrationVersion.fromVersion(version);
        return applied().stream()
                .filter(m -> MigrationVersion.fromVersion(m.version()).compareTo(target) >= 0)
                .toList();
    }

    /**
     * Undoes every applied migration at or above {@code version}, newest first, each in its own
     * transaction together with its history row, so an interrupted rollback leaves a consistent
     * schema at some version. Rolling back the first migration leaves an empty schema.
     */
    public List<AppliedMigration> rollback(String version) {
        List<AppliedMigration> plan = rollbackPlan(version);
        try (Connection c = owner.getConnection()) {
            c.setAutoCommit(false);
            for (AppliedMigration migration : plan) {
                String script = ROLLBACKS + migration.rollbackScript();
                try (Statement s = c.createStatement()) {
                    s.execute(SqlScripts.read(script, placeholders));
                }
                try (PreparedStatement ps = c.prepareStatement(FORGET)) {
                    ps.setInt(1, migration.installedRank());
                    ps.executeUpdate();
                }
                c.commit();
                LOG.info("rolled back migration {} ({})", migration.version(), migration.description());
            }
            dropEmptyHistory(c);
            c.commit();
        } catch (SQLException e) {
            throw new MigrationException("rollback failed and was undone: " + e.getMessage(), e);
        }
        return plan;
    }

    private static void dropEmptyHistory(Connection c) throws SQLException {
        if (!historyExists(c)) {
            return;
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(REMAINING)) {
            rs.next();
            if (rs.getLong(1) == 0) {
                s.execute(DROP_HISTORY);
            }
        }
    }

    private static boolean historyExists(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(HISTORY_EXISTS)) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static List<AppliedMigration> applied(Connection c) throws SQLException {
        List<AppliedMigration> result = new ArrayList<>();
        if (!historyExists(c)) {
            return result;
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(APPLIED)) {
            while (rs.next()) {
                result.add(new AppliedMigration(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4)));
            }
        }
        return result;
    }

    /** One row of the history: the script {@code V003__x.sql} is undone by {@code V003__x.rollback.sql}. */
    public record AppliedMigration(int installedRank, String version, String description, String script) {
        public String rollbackScript() {
            return script.replaceFirst("\\.sql$", ".rollback.sql");
        }
    }
}
