package dev.iucore.pipeline.retention;

import java.time.OffsetDateTime;

/**
 * One target of one retention run, as its {@code iu_core_retention_run} row records it, with the
 * actor the run claimed and the database user that ran it.
 */
public record TargetResult(String target, long rowsEligible, long rowsDeleted, boolean dryRun, String status,
                           String message, int batches, Integer batchSize, Boolean policyEnabled,
                           OffsetDateTime cutoff, String actor, String dbUser) {
}
