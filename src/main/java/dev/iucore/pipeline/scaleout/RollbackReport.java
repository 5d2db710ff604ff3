package dev.iucore.pipeline.scaleout;

import java.util.List;

/** What an actor rollback removed (or, dry, would remove), per table. */
public record RollbackReport(String actor, boolean dryRun, List<TableRows> tables) {

    public RollbackReport {
        tables = List.copyOf(tables);
    }

    /** Rows removed in all, cascades included; dead letters are kept and not counted. */
    public long rowsRemoved() {
        return tables.stream().filter(TableRows::removed).mapToLong(TableRows::rows).sum();
    }

    /** One table: its rows of the actor and what happens to them. */
    public record TableRows(String table, long rows, String effect) {
        public boolean removed() {
            return effect.startsWith("deleted");
        }
    }
}
