package dev.iucore.pipeline.cli;

import java.sql.SQLException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/** One line that says what went wrong and, where we know it, what to do. */
final class Errors {

    private static final String UNDEFINED_TABLE = "42P01";
    private static final String UNDEFINED_FUNCTION = "42883";
    private static final String INSUFFICIENT_PRIVILEGE = "42501";

    private static final String UNREACHABLE = "cannot reach the database: ";

    private Errors() {
    }

    /** True for a message {@link #describe} wrote about a database it could not connect to. */
    static boolean isUnreachable(String message) {
        return message != null && message.startsWith(UNREACHABLE);
    }

    static String describe(Throwable error) {
        SQLException sql = find(error, SQLException.class);
        if (sql != null) {
            return describe(sql);
        }
        return isUnexplained(error) ? error.getClass().getSimpleName() + " (an internal error; its stack trace follows)"
                : error.getMessage();
    }

    /** A failure with no message says nothing an operator can act on: its stack trace is printed too. */
    static boolean isUnexplained(Throwable error) {
        return find(error, SQLException.class) == null && (error.getMessage() == null || error.getMessage().isBlank());
    }

    private static String describe(SQLException e) {
        String state = e.getSQLState();
        String message = e.getMessage();
        if (e instanceof PSQLException psql && psql.getServerErrorMessage() != null) {
            ServerErrorMessage server = psql.getServerErrorMessage();
            message = server.getMessage();
            if (server.getHint() != null) {
                message += " (" + server.getHint() + ")";
            }
        }
        if (UNDEFINED_TABLE.equals(state) || UNDEFINED_FUNCTION.equals(state)) {
            return message + " (the schema is missing or older than this build: run `iu-core migrate`)";
        }
        if (INSUFFICIENT_PRIVILEGE.equals(state)) {
            return message + " (the connected role lacks a privilege; see README, Roles)";
        }
        if (state != null && state.startsWith("08")) {
            return UNREACHABLE + message + " (check IU_DB_URL, or that the server is up)";
        }
        return message;
    }

    private static <T extends Throwable> T find(Throwable error, Class<T> type) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
