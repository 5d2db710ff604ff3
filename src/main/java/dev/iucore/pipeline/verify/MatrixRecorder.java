package dev.iucore.pipeline.verify;

import dev.iucore.pipeline.gates.Gate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * The before/after regression matrix: {@link #snapshot} records the row count of every watched
 * table, the state of every gate, the schema's conformance, the event boundary's verdict and, when
 * known, the build's test outcome under a unique label (the field report's matrix rows);
 * {@link #diff} compares two snapshots with the deltas a batch was expected to cause. Batch
 * commands call both around themselves.
 */
public final class MatrixRecorder {

    /** The tables of DESIGN §4, in its order: the surfaces a batch may or may not touch. */
    public static final List<String> WATCHED_TABLES = List.of(
            "event_outbox", "event_type_registry", "iu_outbound_route", "iu_sql_event_route", "iu_route_delivery",
            "iu_route_attempt", "iu_route_dead_letter", "iu_core_gate", "iu_core_gate_audit",
            "iu_core_retention_policy", "iu_core_retention_run", "information_unit",
            "iu_collection_template_registry", "iu_collection_template_version", "iu_piece_collection",
            "iu_piece_membership", "iu_collection_template_instance_lineage", "iu_auto_instantiate_event_log",
            "iu_lifecycle_log", "iu_vector_sync_point", "dot_iu_command_catalog", "iu_command_log");
    /** A gate's surface, {@code gate:delivery_enabled}: 1 open, 0 closed. */
    public static final String GATE_PREFIX = "gate:";
    /** The build's test outcome, recorded only when its reports are given ({@link TestReports}). */
    public static final List<String> TEST_SURFACES = List.of("tests:passed", "tests:failed");
    /** Every surface a snapshot always records: tables, one per gate, conformance, the boundary. */
    public static final List<String> SURFACES = Stream.of(WATCHED_TABLES.stream(),
            Arrays.stream(Gate.values()).map(g -> GATE_PREFIX + g.sqlName()), VerdictSurfaces.SURFACES.stream())
            .flatMap(s -> s).toList();
    /** What {@code --expect} may name: every surface, the test outcome's included. */
    public static final List<String> KNOWN_SURFACES = Stream.concat(SURFACES.stream(), TEST_SURFACES.stream()).toList();
    /** Every command adds a row here, the snapshots' own included: growth is expected, a shrink is not. */
    static final String COMMAND_LOG = "iu_command_log";

    static final String LABEL_PATTERN = "[A-Za-z0-9][A-Za-z0-9._:-]{0,99}";

    static final String FIND = "SELECT id, label, actor, db_user, node, taken_at FROM iu_core_matrix_snapshot WHERE label = ?";
    static final String COUNTS = "SELECT surface, row_count FROM iu_core_matrix_count WHERE snapshot_id = ?";
    static final String NEWEST_LABELS = "SELECT label FROM iu_core_matrix_snapshot ORDER BY taken_at DESC, id DESC LIMIT 5";
    static final String GATES_OPEN = "SELECT fn_iu_core_gate_open(?)";
    static final String INSERT_SNAPSHOT = """
            INSERT INTO iu_core_matrix_snapshot (label, actor, node) VALUES (?, ?, ?) RETURNING id, taken_at, db_user""";
    static final String INSERT_COUNT = "INSERT INTO iu_core_matrix_count (snapshot_id, surface, row_count) VALUES (?, ?, ?)";
    private static final String UNIQUE_VIOLATION = "23505";

    private final DataSource dataSource;

    public MatrixRecorder(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Checks a label's form; a bad one is the caller's mistake, not a refusal. */
    public static void requireValidLabel(String label) {
        if (label == null || !label.matches(LABEL_PATTERN)) {
            throw new IllegalArgumentException("snapshot label \"" + label + "\" must be 1-100 letters, digits, "
                    + "'.', '_', ':' or '-', starting with a letter or digit (e.g. pre-scaleout-2026-05-25)");
        }
    }

    public Snapshot snapshot(String label, String actor, String node) throws SQLException {
        return snapshot(label, actor, node, null, () -> { });
    }

    public Snapshot snapshot(String label, String actor, String node, Runnable afterEachSurface) throws SQLException {
        return snapshot(label, actor, node, null, afterEachSurface);
    }

    /**
     * Counts every surface in one repeatable-read transaction, so the snapshot is one consistent
     * moment, and stores it under the label.
     *
     * @param tests the build's test outcome, or null when it is not known (no {@code tests:*} rows)
     * @param afterEachSurface called after each surface is counted (progress display)
     * @throws MatrixException when the label is taken
     */
    public Snapshot snapshot(String label, String actor, String node, TestReports tests, Runnable afterEachSurface)
            throws SQLException {
        requireValidLabel(label);
        try (Connection c = dataSource.getConnection()) {
            Snapshot existing = lookUp(c, label);
            if (existing != null) {
                throw MatrixException.duplicate(label, existing);
            }
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                Map<String, Long> counts = count(c, afterEachSurface);
                if (tests != null) {
                    counts.put(TEST_SURFACES.get(0), tests.passed());
                    counts.put(TEST_SURFACES.get(1), tests.failed());
                }
                long id;
                OffsetDateTime takenAt;
                String dbUser;
                try (PreparedStatement ps = c.prepareStatement(INSERT_SNAPSHOT)) {
                    ps.setString(1, label);
                    ps.setString(2, actor);
                    ps.setString(3, node);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        id = rs.getLong(1);
                        takenAt = rs.getObject(2, OffsetDateTime.class);
                        dbUser = rs.getString(3);
                    }
                }
                try (PreparedStatement ps = c.prepareStatement(INSERT_COUNT)) {
                    for (Map.Entry<String, Long> count : counts.entrySet()) {
                        ps.setLong(1, id);
                        ps.setString(2, count.getKey());
                        ps.setLong(3, count.getValue());
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                c.commit();
                return new Snapshot(label, actor, dbUser, node, takenAt, counts);
            } catch (SQLException e) {
                c.rollback();
                if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    // another process took the same label between our check and our insert
                    throw MatrixException.duplicate(label, null);
                }
                throw e;
            }
        }
    }

    /** @throws MatrixException when no snapshot has the label */
    public Snapshot find(String label) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Snapshot snapshot = lookUp(c, label);
            if (snapshot == null) {
                throw MatrixException.unknown(label, newestLabels(c));
            }
            return snapshot;
        }
    }

    /**
     * Compares two snapshots. A surface with an expected delta is {@code expected} when the delta
     * happened exactly (or {@code invariant} for an expected 0) and {@code unexpected} otherwise,
     * also when it moved less than expected; a surface without one is {@code invariant} when it did
     * not move, and {@code unexpected} when it did (the command log's growth aside).
     */
    public Diff diff(String beforeLabel, String afterLabel, Map<String, Long> expected) throws SQLException {
        Snapshot before = find(beforeLabel);
        Snapshot after = find(afterLabel);
        Set<String> surfaces = new LinkedHashSet<>(before.counts().keySet());
        surfaces.addAll(after.counts().keySet());
        List<Row> rows = new ArrayList<>();
        for (String surface : surfaces) {
            rows.add(Row.judge(surface, before.counts().get(surface), after.counts().get(surface), expected.get(surface),
                    before.label(), after.label()));
        }
        return new Diff(before, after, rows);
    }

    private static Map<String, Long> count(Connection c, Runnable afterEachSurface) throws SQLException {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (Statement s = c.createStatement()) {
            for (String table : WATCHED_TABLES) {
                // the table name comes from the fixed list above, never from input
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
                    rs.next();
                    counts.put(table, rs.getLong(1));
                }
                afterEachSurface.run();
            }
        }
        try (PreparedStatement ps = c.prepareStatement(GATES_OPEN)) {
            for (Gate gate : Gate.values()) {
                ps.setString(1, gate.sqlName());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    counts.put(GATE_PREFIX + gate.sqlName(), rs.getBoolean(1) ? 1L : 0L);
                }
                afterEachSurface.run();
            }
        }
        VerdictSurfaces.count(c, counts, afterEachSurface);
        return counts;
    }

    private static Snapshot lookUp(Connection c, String label) throws SQLException {
        long id;
        Snapshot header;
        try (PreparedStatement ps = c.prepareStatement(FIND)) {
            ps.setString(1, label);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                id = rs.getLong(1);
                header = new Snapshot(rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getObject(6, OffsetDateTime.class), Map.of());
            }
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(COUNTS)) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    counts.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return new Snapshot(header.label(), header.actor(), header.dbUser(), header.node(), header.takenAt(),
                inSurfaceOrder(counts));
    }

    /** Known surfaces in their fixed order, then any a newer build recorded that this one does not know. */
    private static Map<String, Long> inSurfaceOrder(Map<String, Long> counts) {
        Map<String, Long> ordered = new LinkedHashMap<>();
        KNOWN_SURFACES.stream().filter(counts::containsKey).forEach(s -> ordered.put(s, counts.get(s)));
        counts.keySet().stream().sorted().forEach(s -> ordered.putIfAbsent(s, counts.get(s)));
        return ordered;
    }

    private static List<String> newestLabels(Connection c) throws SQLException {
        List<String> labels = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(NEWEST_LABELS)) {
            while (rs.next()) {
                labels.add(rs.getString(1));
            }
        }
        return labels;
    }

    /**
     * One labelled moment: each surface's row count (a gate's: 1 open, 0 closed); the actor it
     * claims, and the database user that took it.
     */
    public record Snapshot(String label, String actor, String dbUser, String node, OffsetDateTime takenAt,
                           Map<String, Long> counts) {
    }

    public enum Verdict {
        INVARIANT, EXPECTED, UNEXPECTED;

        public String display() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One surface of a diff; before or after is null when only one snapshot has the surface. */
    public record Row(String surface, Long before, Long after, Long delta, Long expectedDelta, Verdict verdict,
                      String note) {

        static Row judge(String surface, Long before, Long after, Long expected, String beforeLabel, String afterLabel) {
            if (before == null || after == null) {
                return new Row(surface, before, after, null, expected, Verdict.UNEXPECTED,
                        "not recorded in " + (before == null ? beforeLabel : afterLabel));
            }
            long delta = after - before;
            if (expected != null) {
                if (delta == expected) {
                    return new Row(surface, before, after, delta, expected,
                            delta == 0 ? Verdict.INVARIANT : Verdict.EXPECTED, "");
                }
                String note = "expected " + signed(expected) + ", got " + signed(delta);
                if (expected != 0 && Long.signum(delta) == Long.signum(expected) && Math.abs(delta) < Math.abs(expected)) {
                    note += ": " + signed(expected - delta) + " did not happen";
                }
                return new Row(surface, before, after, delta, expected, Verdict.UNEXPECTED, note);
            }
            if (delta == 0) {
                return new Row(surface, before, after, delta, null, Verdict.INVARIANT, "");
            }
            if (surface.equals(COMMAND_LOG) && delta > 0) {
                return new Row(surface, before, after, delta, null, Verdict.EXPECTED, "every command is logged");
            }
            return new Row(surface, before, after, delta, null, Verdict.UNEXPECTED, "no change expected");
        }
    }

    public record Diff(Snapshot before, Snapshot after, List<Row> rows) {
        /** True when no surface moved unexpectedly and every expected delta happened. */
        public boolean holds() {
            return rows.stream().noneMatch(r -> r.verdict() == Verdict.UNEXPECTED);
        }

        public long count(Verdict verdict) {
            return rows.stream().filter(r -> r.verdict() == verdict).count();
        }
    }

    /** {@code +20}, {@code 0}, {@code -3}. */
    public static String signed(long value) {
        return value > 0 ? "+" + value : Long.toString(value);
    }
}
