package dev.iucore.pipeline.relay;

import java.util.Locale;

/** The reason codes of {@code iu_route_dead_letter} (its CHECK constraint lists the same). */
public enum DeadLetterReason {
    UNREGISTERED_TYPE, TYPE_DISABLED, TARGET_SCHEME_REJECTED, ATTEMPTS_EXHAUSTED, PERMANENT_FAILURE, ACTION_FAILED,
    ROUTE_REMOVED;

    public String sqlName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
