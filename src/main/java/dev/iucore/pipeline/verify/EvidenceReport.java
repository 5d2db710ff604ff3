package dev.iucore.pipeline.verify;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.iucore.pipeline.backup.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Everything an operator pastes into a change record about one batch run, from its
 * {@code iu_core_batch_run} row: who, when, how long, the gates before and after, the regression
 * matrix diff (the run's own row counts as the expected deltas), the backups re-checked against
 * their SHA-256, and what undoes it. It holds when the run ended ok, nothing moved unexpectedly
 * and every backup is still there unchanged.
 */
public final class EvidenceReport {

    static final String RUN = """
            SELECT run_id, kind, actor, arguments::text, dry_run, node, started_at, finished_at, outcome, message,
                   matrix_before, matrix_after, backup_before::text, backup_after::text, rollback_handle, summary::text,
                   db_user
              FROM iu_core_batch_run WHERE run_id = ?""";
    static final String NEWEST = "SELECT run_id || ' (' || kind || ', ' || started_at || ')' FROM iu_core_batch_run "
            + "ORDER BY started_at DESC LIMIT 5";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() { };

    private final DataSource dataSource;

    public EvidenceReport(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The report of one run; empty when there is no such run. */
    public Optional<Evidence> of(UUID runId) throws SQLException, IOException {
        Map<String, Object> run;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(RUN)) {
            ps.setObject(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                run = new LinkedHashMap<>();
                run.put("run_id", rs.getObject(1, UUID.class));
                run.put("kind", rs.getString(2));
                run.put("actor", rs.getString(3));
                run.put("db_user", rs.getString(17));
                run.put("arguments", JSON.readValue(rs.getString(4), OBJECT));
                run.put("dry_run", rs.getBoolean(5));
                run.put("node", rs.getString(6));
                run.put("started_at", rs.getObject(7, OffsetDateTime.class));
                run.put("finished_at", rs.getObject(8, OffsetDateTime.class));
                run.put("outcome", rs.getString(9));
                run.put("message", rs.getString(10));
                run.put("matrix_before", rs.getString(11));
                run.put("matrix_after", rs.getString(12));
                run.put("backup_before", rs.getString(13));
                run.put("backup_after", rs.getString(14));
                run.put("rollback_handle", rs.getString(15));
                run.put("summary", JSON.readValue(rs.getString(16), OBJECT));
            }
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> summary = (Map<String, Object>) run.get("summary");
        MatrixRecorder.Diff diff = run.get("matrix_after") == null ? null
                : new MatrixRecorder(dataSource).diff((String) run.get("matrix_before"), (String) run.get("matrix_after"),
                        expectedDeltas(summary));
        List<BackupCheck> backups = new ArrayList<>();
        backup("before", (String) run.get("backup_before")).ifPresent(backups::add);
        backup("after", (String) run.get("backup_after")).ifPresent(backups::add);
        OffsetDateTime started = (OffsetDateTime) run.get("started_at");
        OffsetDateTime finished = (OffsetDateTime) run.get("finished_at");
        Duration duration = finished == null ? null : Duration.between(started, finished);
        return Optional.of(new Evidence(run, diff, backups, duration));
    }

    /** Five newest runs, to help with a mistyped id. */
    public List<String> newest() throws SQLException {
        List<String> runs = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(NEWEST);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                runs.add(rs.getString(1));
            }
        }
        return runs;
    }

    /** What the run says it changed: scaleout's rows_added, retention's rows_deleted (negative). */
    static Map<String, Long> expectedDeltas(Map<String, Object> summary) {
        Map<String, Long> expected = new LinkedHashMap<>();
        for (String key : List.of("rows_added", "rows_deleted")) {
            if (summary.get(key) instanceof Map<?, ?> deltas) {
                deltas.forEach((table, delta) -> expected.merge((String) table, ((Number) delta).longValue(), Long::sum));
            }
        }
        return expected;
    }

    private static Optional<BackupCheck> backup(String when, String json) throws IOException {
        if (json == null) {
            return Optional.empty();
        }
        Map<String, Object> backup = JSON.readValue(json, OBJECT);
        Path file = Path.of((String) backup.get("path"));
        String recorded = (String) backup.get("sha256");
        String status;
        if (!Files.isRegularFile(file)) {
            status = "missing";
        } else {
            status = Sha256.of(file, bytes -> { }).equals(recorded) ? "verified" : "checksum mismatch";
        }
        return Optional.of(new BackupCheck(when, file.toString(), ((Number) backup.get("bytes")).longValue(), recorded,
                status));
    }

    /** One backup of the run, re-checked now. */
    public record BackupCheck(String when, String path, long bytes, String sha256, String status) {
        public boolean verified() {
            return "verified".equals(status);
        }
    }

    public record Evidence(Map<String, Object> run, MatrixRecorder.Diff matrix, List<BackupCheck> backups,
                           Duration duration) {

        public boolean holds() {
            return "ok".equals(run.get("outcome")) && matrix != null && matrix.holds()
                    && backups.stream().allMatch(BackupCheck::verified);
        }

        /** Gate states before and after, from the matrix snapshots (1 open, 0 closed). */
        public Map<String, long[]> gates() {
            Map<String, long[]> gates = new LinkedHashMap<>();
            if (matrix != null) {
                matrix.rows().stream().filter(r -> r.surface().startsWith(MatrixRecorder.GATE_PREFIX))
                        .forEach(r -> gates.put(r.surface().substring(MatrixRecorder.GATE_PREFIX.length()),
                                new long[] {r.before() == null ? -1 : r.before(), r.after() == null ? -1 : r.after()}));
            }
            return gates;
        }
    }
}
