package dev.iucore.pipeline.delivery;

import java.util.Locale;

/** How one try ended, as {@code iu_route_attempt} records it. */
public record AttemptResult(Outcome outcome, Integer httpStatus, String errorClass, String errorText, long latencyMs) {

    static final int MAX_ERROR = 2000;

    public enum Outcome {
        DELIVERED, FAILED, TIMEOUT, PERMANENT_FAILURE, REJECTED;

        public String sqlName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** A failure that says something about the target's health, worth another try. */
        public boolean retryable() {
            return this == FAILED || this == TIMEOUT;
        }
    }

    public AttemptResult {
        errorText = bounded(errorText);
    }

    public static AttemptResult delivered(Integer httpStatus, long latencyMs) {
        return new AttemptResult(Outcome.DELIVERED, httpStatus, null, null, latencyMs);
    }

    public static AttemptResult failed(Outcome outcome, Integer httpStatus, String errorClass, String errorText,
                                       long latencyMs) {
        return new AttemptResult(outcome, httpStatus, errorClass, errorText, latencyMs);
    }

    public static AttemptResult failed(Outcome outcome, Throwable error, long latencyMs) {
        return new AttemptResult(outcome, null, error.getClass().getSimpleName(), String.valueOf(error.getMessage()),
                latencyMs);
    }

    public boolean delivered() {
        return outcome == Outcome.DELIVERED;
    }

    static String bounded(String text) {
        return text == null || text.length() <= MAX_ERROR ? text : text.substring(0, MAX_ERROR - 1) + "…";
    }
}
