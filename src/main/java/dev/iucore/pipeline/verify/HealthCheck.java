package dev.iucore.pipeline.verify;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code verify health}: is the relay keeping up, and are its hot tables being vacuumed? Each
 * check is a number against a threshold from the settings; the verdict is healthy only when every
 * check is within its limit.
 */
public final class HealthCheck {

    /** The tables the relay writes all the time: where bloat and a stalled autovacuum show first. */
    static final List<String> HOT_TABLES = List.of(
            "event_outbox", "iu_route_delivery", "iu_route_attempt", "iu_route_dead_letter", "iu_route_circuit");
    /** Below this many dead tuples a table is too small for its ratio to mean anything. */
    static final long MIN_DEAD_TUPLES = 1000;

    // each subquery reads one partial index (pending, held, due deliveries) rather than the whole table
    static final String QUEUES = """
            SELECT (SELECT count(*) FROM event_outbox WHERE status = 'pending'),
                   (SELECT extract(epoch FROM now() - min(created_at))::bigint FROM event_outbox WHERE status = 'pending'),
                   (SELECT count(*) FROM event_outbox WHERE status = 'held'),
                   (SELECT count(*) FROM iu_route_delivery WHERE status = 'retrying'),
                   (SELECT count(*) FROM iu_route_delivery WHERE status = 'dead'),
                   (SELECT count(*) FROM iu_route_dead_letter WHERE replayed_at IS NULL AND resolved_at IS NULL),
                   (SELECT count(*) FROM event_outbox
                     WHERE status IN ('pending', 'held') AND locked_until < now() - make_interval(secs => ?)),
                   (SELECT count(*) FROM iu_route_delivery
                     WHERE status IN ('pending', 'retrying') AND locked_until < now() - make_interval(secs => ?))""";
    static final String TABLES = """
            SELECT relname, n_live_tup, n_dead_tup, last_vacuum, last_autovacuum
            FROM pg_stat_user_tables WHERE schemaname = 'public' AND relname = ANY (?) ORDER BY relname""";

    private HealthCheck() {
    }

    public static Report run(Connection connection, HealthThresholds limits) throws SQLException {
        List<Check> checks = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(QUEUES)) {
            ps.setLong(1, limits.leaseGraceSeconds());
            ps.setLong(2, limits.leaseGraceSeconds());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long oldest = rs.getLong(2);
                boolean anyPending = !rs.wasNull();
                checks.add(Check.of("outbox_backlog", rs.getLong(1), limits.maxBacklog(), "pending outbox events"));
                checks.add(Check.of("oldest_pending_age_seconds", oldest, limits.maxPendingAgeSeconds(),
                        anyPending ? "age of the oldest pending event" : "nothing pending"));
                checks.add(Check.of("outbox_held", rs.getLong(3), limits.maxHeld(), "held for the delayed lane"));
                checks.add(Check.of("deliveries_retrying", rs.getLong(4), limits.maxRetrying(), "waiting for a retry"));
                checks.add(new Check("deliveries_dead", rs.getLong(5), null, true, "replayed ones included"));
                checks.add(Check.of("dead_letters_open", rs.getLong(6), limits.maxOpenDeadLetters(),
                        "neither replayed nor resolved"));
                long stuckOutbox = rs.getLong(7);
                long stuckDeliveries = rs.getLong(8);
                checks.add(Check.of("stuck_leases", stuckOutbox + stuckDeliveries, limits.maxStuckLeases(),
                        stuckOutbox + " outbox, " + stuckDeliveries + " delivery; expired over "
                                + limits.leaseGraceSeconds() + " s ago"));
            }
        }
        return new Report(checks, tables(connection, limits.maxDeadTupleRatio()));
    }

    private static List<TableHealth> tables(Connection connection, double maxRatio) throws SQLException {
        List<TableHealth> tables = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(TABLES)) {
            ps.setArray(1, connection.createArrayOf("text", HOT_TABLES.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long live = rs.getLong(2);
                    long dead = rs.getLong(3);
                    double ratio = live + dead == 0 ? 0 : (double) dead / (live + dead);
                    tables.add(new TableHealth(rs.getString(1), live, dead, ratio,
                            rs.getObject(4, OffsetDateTime.class), rs.getObject(5, OffsetDateTime.class),
                            dead < MIN_DEAD_TUPLES || ratio <= maxRatio));
                }
            }
        }
        return tables;
    }

    /** One number against its limit; a null threshold is for information only. */
    public record Check(String name, long value, Long threshold, boolean ok, String detail) {
        static Check of(String name, long value, long threshold, String detail) {
            return new Check(name, value, threshold, value <= threshold, detail);
        }
    }

    /** Dead tuples of a hot table and when it was last vacuumed, by hand or by autovacuum. */
    public record TableHealth(String table, long liveTuples, long deadTuples, double deadRatio,
                              OffsetDateTime lastVacuum, OffsetDateTime lastAutovacuum, boolean ok) {
    }

    public record Report(List<Check> checks, List<TableHealth> tables) {
        public boolean healthy() {
            return checks.stream().allMatch(Check::ok) && tables.stream().allMatch(TableHealth::ok);
        }

        /** The names of the checks and tables over their limits. */
        public List<String> failures() {
            List<String> failed = new ArrayList<>();
            checks.stream().filter(c -> !c.ok()).forEach(c -> failed.add(c.name()));
            tables.stream().filter(t -> !t.ok()).forEach(t -> failed.add("dead tuples of " + t.table()));
            return failed;
        }
    }
}
