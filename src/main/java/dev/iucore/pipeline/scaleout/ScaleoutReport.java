package dev.iucore.pipeline.scaleout;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What a scaleout batch composed (or, dry, would compose), per template version of its mix.
 * {@code composed} instances are new; {@code alreadyComposed} ones exist from an earlier run of
 * the same batch and were left as they are.
 */
public record ScaleoutReport(UUID batchId, String batchName, String actor, boolean dryRun, int requested,
                             List<TemplateTotals> templates) {

    /** The tables an instance writes one row to. */
    static final List<String> ONE_ROW_PER_INSTANCE = List.of("iu_piece_collection",
            "iu_collection_template_instance_lineage", "iu_auto_instantiate_event_log", "event_outbox");

    public ScaleoutReport {
        templates = List.copyOf(templates);
    }

    public long composed() {
        return templates.stream().mapToLong(TemplateTotals::composed).sum();
    }

    public long alreadyComposed() {
        return templates.stream().mapToLong(TemplateTotals::alreadyComposed).sum();
    }

    public long memberships() {
        return templates.stream().mapToLong(TemplateTotals::memberships).sum();
    }

    /** Composed instances whose digest differs from their template's (0 unless something is wrong). */
    public long digestMismatches() {
        return templates.stream().mapToLong(TemplateTotals::digestMismatches).sum();
    }

    /** Rows added per table (dry run: rows it would add). */
    public Map<String, Long> rowsAdded() {
        Map<String, Long> rows = new LinkedHashMap<>();
        ONE_ROW_PER_INSTANCE.forEach(table -> rows.put(table, composed()));
        rows.put("iu_piece_membership", memberships());
        rows.put("information_unit", 0L);
        return rows;
    }

    /** One line for people and the service's log; says so when the batch had been run before. */
    public String summary() {
        String verb = dryRun ? "would compose" : "composed";
        String line = "scaleout batch " + batchId + " (" + batchName + ") by " + actor + (dryRun ? ", dry run" : "")
                + ": " + verb + " " + composed() + " of " + requested + " instances, " + memberships() + " memberships";
        if (alreadyComposed() > 0) {
            line += "; " + alreadyComposed() + " already composed by an earlier run of this batch, left as they are";
        }
        if (composed() == 0 && alreadyComposed() == requested) {
            line += " (nothing new: this batch has been run before)";
        }
        return line;
    }

    /** The batch-run record's summary: the counts per table and what the batch reported. */
    public Map<String, Object> evidenceSummary() {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("batch_id", batchId.toString());
        summary.put("requested", requested);
        summary.put("composed", composed());
        summary.put("already_composed", alreadyComposed());
        summary.put("digest_mismatches", digestMismatches());
        summary.put("rows_added", rowsAdded());
        summary.put("text", summary());
        return summary;
    }

    /** One template version of the mix. */
    public record TemplateTotals(String template, int pieces, int instances, int composed, int alreadyComposed,
                                 long memberships, int digestMismatches) {
    }
}
