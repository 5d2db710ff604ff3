package dev.iucore.pipeline.delivery;

import dev.iucore.pipeline.delivery.AttemptResult.Outcome;
import dev.iucore.pipeline.relay.RelayCommit;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.Set;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Runs an SQL route's vetted action, {@code <action>(event_id, event_type, payload)}, inside the
 * delivery's record transaction: the action's writes and the attempt record commit together, and a
 * failing action leaves nothing of itself behind (rolled back to a savepoint) while its attempt is
 * still recorded. The action is a function name from {@code iu_sql_action}, never SQL text.
 * Failures that another try may cure (deadlock, serialization, lock timeout, lost connection) are
 * retried; anything else dead-letters at once as {@code action_failed}.
 */
public final class SqlActionRunner implements DeliveryTarget {

    private static final Pattern ACTION = Pattern.compile("fn_[a-z0-9_]+");
    /** SQLSTATE classes worth another try: 40 rollback, 55 lock not available, 57 operator intervention, 08 connection. */
    private static final Set<String> RETRYABLE_CLASSES = Set.of("40", "55", "57", "08");

    private final DataSource dataSource;

    public SqlActionRunner(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Runs the action on a transaction left open on the attempt: the record step commits it with the attempt. */
    @Override
    public AttemptResult tryOnce(DeliveryAttempt attempt) throws SQLException {
        Connection c = dataSource.getConnection();
        try {
            RelayCommit.begin(c);
            AttemptResult result = run(c, attempt.getTask());
            attempt.recordIn(c);
            return result;
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private static AttemptResult run(Connection c, DeliveryTask task) throws SQLException {
        if (task.action() == null || !ACTION.matcher(task.action()).matches()) {
            return AttemptResult.failed(Outcome.PERMANENT_FAILURE, null, "InvalidAction",
                    "action \"" + task.action() + "\" is not a vetted function name", 0);
        }
        long start = System.nanoTime();
        Savepoint before = c.setSavepoint();
        // the name is checked above and comes from iu_sql_action (a foreign key); the values are bound
        try (PreparedStatement ps = c.prepareStatement("SELECT " + task.action() + "(?::uuid, ?, ?::jsonb)")) {
            ps.setObject(1, task.eventId());
            ps.setString(2, task.eventType());
            ps.setString(3, task.payload());
            ps.execute();
            c.releaseSavepoint(before);
            return AttemptResult.delivered(null, (System.nanoTime() - start) / 1_000_000);
        } catch (SQLException e) {
            c.rollback(before);
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            boolean retryable = state.length() >= 2 && RETRYABLE_CLASSES.contains(state.substring(0, 2));
            return AttemptResult.failed(retryable ? Outcome.FAILED : Outcome.PERMANENT_FAILURE, null,
                    "SQLSTATE " + state, e.getMessage(), (System.nanoTime() - start) / 1_000_000);
        }
    }
}
