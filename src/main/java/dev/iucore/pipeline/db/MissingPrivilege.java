package dev.iucore.pipeline.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.internal.exception.FlywayMigrateException;
import org.flywaydb.core.internal.sqlscript.FlywaySqlScriptException;
import org.postgresql.util.PSQLException;

/**
 * A migration PostgreSQL refused for a missing privilege (SQLSTATE 42501), explained: which
 * privilege on which object the failing statement needs, which role is connected, and which role
 * can apply it (the object's owner, or the connected role after a grant).
 */
final class MissingPrivilege {

    static final String INSUFFICIENT_PRIVILEGE = "42501";

    static final String CONNECTED_ROLE = "SELECT current_user";
    static final String TABLE_OWNER = "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = to_regclass(?)";
    // a schema owned by pg_database_owner (PostgreSQL 15's public) is the database owner's
    static final String SCHEMA_OWNER = """
            SELECT CASE WHEN n.nspowner = 'pg_database_owner'::regrole THEN pg_get_userbyid(d.datdba)
                        ELSE pg_get_userbyid(n.nspowner) END
              FROM pg_namespace n, pg_database d
             WHERE n.nspname = ? AND d.datname = current_database()""";
    static final String DATABASE_OWNER = "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()";

    private static final Pattern CREATE_TRIGGER = Pattern.compile(
            "^\\s*CREATE\\s+(?:OR\\s+REPLACE\\s+)?(?:CONSTRAINT\\s+)?TRIGGER\\s+\\S+\\s+.*?\\sON\\s+([\\w.\"]+)",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern COMMENT = Pattern.compile("--[^\n]*|/\\*.*?\\*/", Pattern.DOTALL);
    // "permission denied for schema public", "must be owner of table x"
    private static final Pattern DENIED = Pattern.compile("(?:permission denied for|must be owner of) (\\w+) ([\\w.\"]+)");

    private MissingPrivilege() {
    }

    /** The refusal, when {@code failure} is a refused privilege; empty for any other failure. */
    static Optional<Refusal> of(FlywayException failure, DataSource dataSource, MigrationInfoService info) {
        SQLException refused = refusal(failure);
        if (refused == null) {
            return Optional.empty();
        }
        String statement = statement(failure);
        String postgres = refused instanceof PSQLException psql && psql.getServerErrorMessage() != null
                ? psql.getServerErrorMessage().getMessage() : firstLine(refused.getMessage());
        Matcher trigger = CREATE_TRIGGER.matcher(statement);
        Matcher denied = DENIED.matcher(postgres);
        String need;
        String objectKind;
        String objectName;
        String grant = null;
        if (trigger.find()) {
            objectKind = "table";
            objectName = trigger.group(1);
            need = "CREATE TRIGGER needs the TRIGGER privilege on table " + objectName;
            grant = "GRANT TRIGGER ON TABLE " + objectName + " TO ";
        } else if (denied.find()) {
            objectKind = denied.group(1);
            objectName = denied.group(2);
            need = "`" + summary(statement) + "` needs " + (postgres.startsWith("must be owner") ? "ownership of "
                    : "a privilege on ") + objectKind + " " + objectName;
        } else {
            objectKind = "database";
            objectName = null;
            need = "`" + summary(statement) + "` needs a privilege";
        }
        String connected;
        String owner;
        try (Connection c = dataSource.getConnection()) {
            connected = single(c, CONNECTED_ROLE, null);
            owner = switch (objectKind) {
                case "table", "relation" -> single(c, TABLE_OWNER, objectName);
                case "schema" -> single(c, SCHEMA_OWNER, objectName);
                default -> single(c, DATABASE_OWNER, null);
            };
        } catch (SQLException e) {
            connected = "the connected role";
            owner = null;
        }
        MigrationInfo failed = failedMigration(failure, info);
        return Optional.of(new Refusal(failed == null ? null : failed.getVersion().getVersion(),
                failed == null ? "a migration" : "migration " + failed.getVersion() + " (" + failed.getDescription() + ")",
                need, postgres, connected, owner, objectKind, grant == null ? null : grant + connected, failure));
    }

    /** The migration Flyway was running when it failed; else the first pending one. */
    private static MigrationInfo failedMigration(Throwable failure, MigrationInfoService info) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof FlywayMigrateException migrate && migrate.getMigration() != null) {
                return migrate.getMigration();
            }
        }
        return info.pending().length > 0 ? info.pending()[0] : null;
    }

    /**
     * What PostgreSQL refused and who can do it: the object's owner, or (for a table privilege such
     * as TRIGGER) the connected role once granted it. PostgreSQL ran the migration in one
     * transaction and rolled it back, so nothing of it remains.
     */
    record Refusal(String version, String migration, String need, String postgres, String connected, String owner,
                   String objectKind, String grant, FlywayException failure) {

        private String refused() {
            return need + ", which role " + connected + " (connected) does not have (PostgreSQL: " + postgres + ")";
        }

        private String applyAs() {
            if (owner == null) {
                return "as the owner role";
            }
            return owner.equals(connected) ? "as role " + owner + " once it holds the privilege again"
                    : "as role " + owner + ", the " + objectKind + "'s owner (IU_DB_OWNER_USER=" + owner + " iu-core migrate)";
        }

        /** A required migration: the migration stops here. */
        MigrationException required(String currentVersion) {
            return explained(migration + " refused: " + refused() + ". Nothing of it was applied: it ran in one transaction"
                    + " and was rolled back; the schema stays at version " + currentVersion + ". Apply it " + applyAs()
                    + (grant == null ? "" : ", or after `" + grant + "`") + ".");
        }

        /** An optional step: the other migrations go ahead without it. */
        String blocked() {
            return migration + " blocked: " + refused() + ". Nothing of it was applied; the other migrations went ahead"
                    + " without it. Apply it later " + applyAs() + (grant == null ? "" : ", or after `" + grant + "`")
                    + ": iu-core migrate.";
        }

        private MigrationException explained(String message) {
            MigrationException explained = new MigrationException(message, null);
            // kept beside it, not as its cause, so a one-line report shows this message and not only PostgreSQL's
            explained.addSuppressed(failure);
            return explained;
        }
    }

    private static SQLException refusal(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && INSUFFICIENT_PRIVILEGE.equals(sql.getSQLState())) {
                return sql;
            }
        }
        return null;
    }

    /** The failing statement without its comments (a migration's header comment comes with its first statement). */
    private static String statement(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof FlywaySqlScriptException script && script.getStatement() != null) {
                return COMMENT.matcher(script.getStatement()).replaceAll("").strip();
            }
        }
        return "";
    }

    /** The statement's first line, for the message. */
    private static String summary(String statement) {
        String line = firstLine(statement.strip());
        return line.length() > 120 ? line.substring(0, 117) + "..." : line;
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        int newline = text.indexOf('\n');
        return (newline < 0 ? text : text.substring(0, newline)).strip();
    }

    private static String single(Connection c, String sql, String parameter) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (parameter != null) {
                ps.setString(1, parameter.replace("\"", ""));
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
