package dev.iucore.pipeline.scaleout;

import dev.iucore.pipeline.gates.Gate;
import dev.iucore.pipeline.gates.GateService;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import javax.sql.DataSource;

/**
 * Runs a scaleout batch, for the CLI and the schedule. The rules are SQL (migration V013:
 * {@code fn_iu_core_scaleout} composes through {@code fn_iu_core_compose_instance}); this class
 * checks the batch can run, then calls the function range by range inside one transaction, so the
 * batch commits or rolls back as one while the caller sees progress. The function opens gates
 * {@code composer_enabled} and {@code auto_instantiate_enabled} for that transaction only and
 * sets them back before it returns: once committed, every gate reads as before.
 */
public final class ScaleoutRunner {

    /** Instances per call: a progress step, small enough to show movement on a large batch. */
    static final int RANGE = 200;

    static final String VERSIONS = """
            SELECT template_id, version, cardinality(piece_ids) FROM iu_collection_template_version
             ORDER BY template_id, version""";
    static final String PLAN = """
            SELECT template_id, template_version, max(piece_count),
                   count(*) FILTER (WHERE NOT already_composed), count(*) FILTER (WHERE already_composed)
              FROM fn_iu_core_scaleout_plan(?, ?, ?, 1, ?)
             GROUP BY template_id, template_version""";
    static final String COMPOSE = """
            SELECT template_id, template_version, outcome, piece_count, digest_matches_template
              FROM fn_iu_core_scaleout(?, ?, ?, ?, ?, ?)""";

    private final DataSource dataSource;

    public ScaleoutRunner(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Checks what a batch needs before anything is written: every template version exists, and,
     * unless it is a dry run, gate {@code scaleout_enabled} is open.
     *
     * @throws ScaleoutException failed for an unknown template version, refused for a closed gate
     */
    public void check(ScaleoutBatch batch, boolean dryRun) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Map<String, Integer> published = published(c);
            List<String> unknown = batch.templates().stream().map(TemplateVersion::toString)
                    .filter(t -> !published.containsKey(t)).distinct().toList();
            if (!unknown.isEmpty()) {
                throw ScaleoutException.failed("template version" + (unknown.size() > 1 ? "s " : " ")
                        + String.join(", ", unknown) + (unknown.size() > 1 ? " do" : " does") + " not exist; published: "
                        + (published.isEmpty() ? "none (load the demo set with `iu-core demo load`)"
                                : String.join(", ", published.keySet())));
            }
            if (!dryRun) {
                requireGate(c);
            }
        }
    }

    /** The batch as it would run now: composes nothing, writes nothing. */
    public ScaleoutReport preview(ScaleoutBatch batch) throws SQLException {
        check(batch, true);
        Map<String, Totals> totals = totals(batch);
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(PLAN)) {
            ps.setObject(1, batch.batchId());
            ps.setArray(2, c.createArrayOf("text", batch.templateIds()));
            ps.setArray(3, c.createArrayOf("integer", batch.versions()));
            ps.setInt(4, batch.count());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Totals t = totals.get(rs.getString(1) + "/v" + rs.getInt(2));
                    t.pieces = rs.getInt(3);
                    t.composed += rs.getInt(4);
                    t.alreadyComposed += rs.getInt(5);
                    t.memberships += (long) rs.getInt(3) * rs.getInt(4);
                }
            }
        }
        return report(batch, true, totals);
    }

    /**
     * Composes the batch in one transaction.
     *
     * @param composedSoFar told how many instances each range handled (progress display)
     * @throws ScaleoutException refused while gate {@code scaleout_enabled} is closed; nothing written
     */
    public ScaleoutReport run(ScaleoutBatch batch, LongConsumer composedSoFar) throws SQLException {
        check(batch, false);
        Map<String, Totals> totals = totals(batch);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                // read again in the batch's transaction; the function checks it once more per range
                requireGate(c);
                try (PreparedStatement ps = c.prepareStatement(COMPOSE)) {
                    ps.setObject(1, batch.batchId());
                    ps.setString(2, batch.actor());
                    ps.setArray(3, c.createArrayOf("text", batch.templateIds()));
                    ps.setArray(4, c.createArrayOf("integer", batch.versions()));
                    for (int from = 1; from <= batch.count(); from += RANGE) {
                        int to = Math.min(batch.count(), from + RANGE - 1);
                        ps.setInt(5, from);
                        ps.setInt(6, to);
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                count(totals.get(rs.getString(1) + "/v" + rs.getInt(2)), rs);
                            }
                        }
                        composedSoFar.accept(to - from + 1);
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        return report(batch, false, totals);
    }

    private static void count(Totals t, ResultSet rs) throws SQLException {
        t.pieces = rs.getInt(4);
        if ("composed".equals(rs.getString(3))) {
            t.composed++;
            t.memberships += rs.getInt(4);
            if (!rs.getBoolean(5)) {
                t.digestMismatches++;
            }
        } else {
            t.alreadyComposed++;
        }
    }

    private static void requireGate(Connection c) {
        if (!GateService.isOpen(c, Gate.SCALEOUT_ENABLED)) {
            throw ScaleoutException.refused("gate scaleout_enabled is closed: the batch composed nothing (open it for "
                    + "the batch: iu-core gates open scaleout_enabled --actor A --reason R; close it afterwards)");
        }
    }

    private static Map<String, Integer> published(Connection c) throws SQLException {
        Map<String, Integer> published = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(VERSIONS); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                published.put(rs.getString(1) + "/v" + rs.getInt(2), rs.getInt(3));
            }
        }
        return published;
    }

    /** One counter per distinct template version, in the order of the mix. */
    private static Map<String, Totals> totals(ScaleoutBatch batch) {
        Map<String, Totals> totals = new LinkedHashMap<>();
        List<TemplateVersion> mix = batch.templates();
        for (int i = 0; i < batch.count(); i++) {
            totals.computeIfAbsent(mix.get(i % mix.size()).toString(), t -> new Totals()).instances++;
        }
        return totals;
    }

    private static ScaleoutReport report(ScaleoutBatch batch, boolean dryRun, Map<String, Totals> totals) {
        List<ScaleoutReport.TemplateTotals> rows = new ArrayList<>();
        totals.forEach((template, t) -> rows.add(new ScaleoutReport.TemplateTotals(template, t.pieces, t.instances,
                t.composed, t.alreadyComposed, t.memberships, t.digestMismatches)));
        return new ScaleoutReport(batch.batchId(), batch.name(), batch.actor(), dryRun, batch.count(), rows);
    }

    private static final class Totals {
        int pieces;
        int instances;
        int composed;
        int alreadyComposed;
        long memberships;
        int digestMismatches;
    }
}
