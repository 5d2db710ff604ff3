package dev.iucore.pipeline.scaleout;

import java.util.List;
import java.util.UUID;

/**
 * What an actor rollback removed (or, dry, would remove), per table, and the actor's events with
 * their fate: every one for a dry run, the kept ones after an apply.
 */
public record RollbackReport(String actor, boolean dryRun, List<TableRows> tables, List<EventFate> events) {

    public RollbackReport {
        tables = List.copyOf(tables);
        events = List.copyOf(events);
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

    /** One of the actor's events: kept (delivered or in flight) or deleted (never delivered), and why. */
    public record EventFate(UUID eventId, String eventType, String status, boolean kept, String reason) {
    }
}
