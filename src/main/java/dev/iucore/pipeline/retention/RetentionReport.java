package dev.iucore.pipeline.retention;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

/** What one retention run did, per target, in processing order. */
public record RetentionReport(UUID runId, boolean dryRun, List<TargetResult> targets) {

    public RetentionReport {
        targets = List.copyOf(targets);
    }

    /** Why the run deleted nothing on purpose (a closed gate, another run deleting), if it did. */
    public Optional<String> refusal() {
        return targets.stream().filter(t -> t.status().equals("refused")).map(TargetResult::message).findFirst();
    }

    /** Why some target did not finish (interrupted, failed), if one did not. */
    public Optional<String> problem() {
        return targets.stream()
                .filter(t -> t.status().equals("interrupted") || t.status().equals("failed"))
                .map(t -> t.target() + " " + t.status() + ": " + t.message())
                .findFirst();
    }

    public boolean refused() {
        return refusal().isPresent();
    }

    public long rowsDeleted() {
        return targets.stream().mapToLong(TargetResult::rowsDeleted).sum();
    }

    /** One line for the service's log. */
    public String summary() {
        return "retention run " + runId + (dryRun ? " (dry run)" : "") + ": " + targets.stream()
                .map(t -> t.target() + " " + t.rowsDeleted() + "/" + t.rowsEligible() + " " + t.status())
                .collect(Collectors.joining(", "));
    }
}
