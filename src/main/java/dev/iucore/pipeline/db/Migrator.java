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
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the migrations in {@code sql/} with Flyway as the owner role, and rolls them back with
 * their {@code sql/rollback/} files (Flyway's own undo is not in its community edition).
 *
 * <p>The migrations in {@code sql/optional/} are optional steps, numbered in the same sequence: one
 * the migrating role is refused for a missing privilege (the envelope trigger without TRIGGER on
 * the lineage table, the field report's migration 036) is left out and reported, and the rest goes
 * ahead without it; a later {@code migrate}, once the privilege is granted, applies it out of order.
 */
public final class Migrator {

    public static final String MIGRATIONS = "classpath:db/migration";
    static final String OPTIONAL_MIGRATIONS = "classpath:db/optional";
    static final String ROLLBACKS = "db/rollback/";
    static final String HISTORY_TABLE = "flyway_schema_history";

    private static final Logger LOG = LoggerFactory.getLogger(Migrator.class);

    private static final String HISTORY_EXISTS = "SELECT to_regclass('public." + HISTORY_TABLE + "') IS NOT NULL";
    private static final String APPLIED = "SELECT installed_rank, version, description, script FROM "
            + HISTORY_TABLE + " WHERE success AND version IS NOT NULL ORDER BY installed_rank DESC";
    private static final String FORGET = "DELETE FROM " + HISTORY_TABLE + " WHERE installed_rank = ?";
    private static final String REMAINING = "SELECT count(*) FROM " + HISTORY_TABLE;
    private static final String DROP_HISTORY = "DROP TABLE " + HISTORY_TABLE;

    /** Flyway's versions ("3", "015", "1.2") in their numeric order. */
    static final Comparator<String> BY_VERSION = Comparator.comparing(MigrationVersion::fromVersion);

    private final DataSource owner;
    private final Map<String, String> placeholders;
    private Map<String, String> optional;

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
        return flyway(MigrationVersion.LATEST, true);
    }

    /**
     * Flyway over the required migrations, and the optional ones when {@code withOptional}. An
     * optional step left out earlier sits below versions applied since: while one does, Flyway may
     * apply out of order; otherwise a migration missing in the middle fails validation as always.
     */
    private Flyway flyway(MigrationVersion target, boolean withOptional) {
        String[] locations = withOptional ? new String[] {MIGRATIONS, OPTIONAL_MIGRATIONS} : new String[] {MIGRATIONS};
        return Flyway.configure(Migrator.class.getClassLoader())
                .dataSource(owner)
                .locations(locations)
                .table(HISTORY_TABLE)
                .placeholders(placeholders)
                .target(target)
                .outOfOrder(withOptional && !blocked().isEmpty())
                .cleanDisabled(true)
                .load();
    }

    /** Applies every pending migration; says which were applied now and which optional steps were left out. */
    public Outcome migrate() {
        return migrate(MigrationVersion.LATEST);
    }

    /** Applies pending migrations up to and including {@code version}. */
    public Outcome migrateTo(String version) {
        return migrate(MigrationVersion.fromVersion(version));
    }

    /**
     * @throws MigrationException when the connected role lacks a privilege a required migration
     *         needs: it names the privilege, the object and the role that can apply it
     */
    private Outcome migrate(MigrationVersion target) {
        Set<String> before = appliedVersions();
        List<BlockedStep> blocked = new ArrayList<>();
        Flyway flyway = flyway(target, true);
        try {
            flyway.migrate();
        } catch (FlywayException e) {
            MissingPrivilege.Refusal refusal = MissingPrivilege.of(e, owner, flyway.info()).orElseThrow(() -> e);
            if (refusal.version() == null || !optional().containsKey(refusal.version())) {
                throw refusal.required(currentVersion());
            }
            blocked.add(new BlockedStep(refusal.version(), optional().get(refusal.version()), refusal.blocked()));
            LOG.warn(refusal.blocked());
            Flyway required = flyway(target, false);
            try {
                required.migrate();
            } catch (FlywayException again) {
                throw MissingPrivilege.of(again, owner, required.info()).map(r -> r.required(currentVersion())).orElseThrow(() -> again);
            }
        }
        List<String> applied = appliedVersions().stream().filter(v -> !before.contains(v)).sorted(BY_VERSION).toList();
        if (!applied.isEmpty()) {
            LOG.info("applied migrations {}; schema now at version {}", applied, currentVersion());
        }
        return new Outcome(applied, blocked);
    }

    /** What one {@code migrate} did: the versions applied now, and each optional step it had to leave out. */
    public record Outcome(List<String> applied, List<BlockedStep> blocked) {
        public Outcome {
            applied = List.copyOf(applied);
            blocked = List.copyOf(blocked);
        }
    }

    /** An optional step the migrating role was refused: its version, description and what it needs, from whom. */
    public record BlockedStep(String version, String description, String reason) {
    }

    /** The optional steps this build packages, version to description. */
    public Map<String, String> optional() {
        if (optional == null) {
            optional = Arrays.stream(Flyway.configure(Migrator.class.getClassLoader()).dataSource(owner)
                            .locations(OPTIONAL_MIGRATIONS).table(HISTORY_TABLE).placeholders(placeholders)
                            .load().info().all())
                    .filter(i -> i.getVersion() != null && i.getState().isResolved())
                    .collect(Collectors.toMap(i -> i.getVersion().getVersion(), MigrationInfo::getDescription,
                            (a, b) -> a, TreeMap::new));
        }
        return optional;
    }

    /** Optional steps not applied while a later version is: left out by an earlier {@code migrate}. */
    public Map<String, String> blocked() {
        Set<String> applied = appliedVersions();
        Optional<String> newest = applied.stream().max(BY_VERSION);
        Map<String, String> blocked = new TreeMap<>();
        optional().forEach((version, description) -> {
            if (!applied.contains(version) && newest.filter(n -> BY_VERSION.compare(n, version) > 0).isPresent()) {
                blocked.put(version, description);
            }
        });
        return blocked;
    }

    /** The highest version applied ("none" before the first), whatever order they were applied in. */
    public String currentVersion() {
        return appliedVersions().stream().max(BY_VERSION).orElse("none");
    }

    /**
     * Runs an applied optional step's rollback file inside the caller's transaction (the caller rolls
     * it back): what the schema would be without that step, for the conformance manifest.
     */
    public void undoWithin(Connection c, String version) throws SQLException {
        AppliedMigration step = applied(c).stream().filter(m -> m.version().equals(version)).findFirst()
                .orElseThrow(() -> new MigrationException("optional step " + version + " is not applied", null));
        try (Statement s = c.createStatement()) {
            s.execute(SqlScripts.read(ROLLBACKS + step.rollbackScript(), placeholders));
        }
    }

    private Set<String> appliedVersions() {
        return applied().stream().map(AppliedMigration::version).collect(Collectors.toSet());
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
