package dev.iucore.pipeline.scaleout;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.postgresql.util.PSQLException;

/**
 * {@code iu-core rollback --actor X}: everything actor X's compositions wrote (collections,
 * memberships, lineage, auto-instantiate log, outbox events never delivered, and with those events
 * their deliveries and attempts), counted per table, or deleted in one transaction. An event
 * delivered (or in flight) is kept with its deliveries and attempts: it already left. The rules
 * are SQL ({@code fn_iu_core_actor_rollback}, migrations V013 and V060), so a dry run and an apply
 * count the same rows, and {@code fn_iu_core_actor_rollback_events} names each event's fate.
 */
public final class ActorRollback {

    static final String ROLLBACK = "SELECT table_name, row_count, effect FROM fn_iu_core_actor_rollback(?, ?)";
    static final String EVENTS = "SELECT event_id, event_type, status, kept, reason FROM fn_iu_core_actor_rollback_events(?)";
    /** dependent_objects_still_exist: rows of another actor belong to this actor's collections. */
    private static final String DEPENDENT_ROWS = "2BP01";

    private final DataSource dataSource;

    public ActorRollback(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * @throws ScaleoutException refused, nothing removed, when rows of other actors depend on the actor's
     */
    public RollbackReport run(String actor, boolean dryRun) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                List<RollbackReport.TableRows> tables = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement(ROLLBACK)) {
                    ps.setString(1, actor);
                    ps.setBoolean(2, dryRun);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            tables.add(new RollbackReport.TableRows(rs.getString(1), rs.getLong(2), rs.getString(3)));
                        }
                    }
                }
                // read after the rollback ran: a dry run sees every event's fate, an apply the events it kept
                List<RollbackReport.EventFate> events = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement(EVENTS)) {
                    ps.setString(1, actor);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            events.add(new RollbackReport.EventFate(rs.getObject(1, UUID.class), rs.getString(2),
                                    rs.getString(3), rs.getBoolean(4), rs.getString(5)));
                        }
                    }
                }
                if (dryRun) {
                    c.rollback();
                } else {
                    c.commit();
                }
                return new RollbackReport(actor, dryRun, tables, events);
            } catch (SQLException e) {
                c.rollback();
                if (DEPENDENT_ROWS.equals(e.getSQLState()) && e instanceof PSQLException psql
                        && psql.getServerErrorMessage() != null) {
                    throw ScaleoutException.refused(psql.getServerErrorMessage().getMessage()
                            + " (" + psql.getServerErrorMessage().getHint() + ")");
                }
                throw e;
            } catch (RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }
}
