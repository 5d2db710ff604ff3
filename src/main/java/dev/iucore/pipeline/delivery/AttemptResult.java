package dev.iucore.pipeline.delivery;

import java.util.Locale;

/**
 * How one try ended, as {@code iu_route_attempt} records it, and how long the target asked to be
 * left alone before the next ({@code Retry-After}; 0: it did not say).
 */
public record AttemptResult(Outcome outcome, Integer httpStatus, String errorClass, String errorText, long latencyMs,
                            long retryAfterMs) {

    static final int MAX_ERROR = 2000;

    public enum Outcome {
        DELIVERED, FAILED, TIMEOUT, PERMANENT_FAILURE, REJECTED;

        private final String sqlName = name().toLowerCase(Locale.ROOT);

        public String sqlName() {
            return sqlName;
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
        return new AttemptResult(Outcome.DELIVERED, httpStatus, null, null, latencyMs, 0);
    }

    public static AttemptResult failed(Outcome outcome, Integer httpStatus, String errorClass, String errorText,
                                       long latencyMs) {
        return new AttemptResult(outcome, httpStatus, errorClass, errorText, latencyMs, 0);
    }

    public static AttemptResult failed(Outcome outcome, Throwable error, long latencyMs) {
        return new AttemptResult(outcome, null, nameOf(error), String.valueOf(error.getMessage()), latencyMs, 0);
    }

    /**
     * The name an attempt records for an error: a client library's own subclass of a {@code java.net}
     * exception by the {@code java.net} name ({@code ConnectException}), so what attempts say does not
     * change with the client a target sends with.
     */
    private static String nameOf(Throwable error) {
        for (Class<?> c = error.getClass(); c != null; c = c.getSuperclass()) {
            if (c.getPackageName().equals("java.net")) {
                return c.getSimpleName();
            }
        }
        return error.getClass().getSimpleName();
    }

    /** The same result, with the wait the target asked for before its next try. */
    AttemptResult retryAfter(long millis) {
        return new AttemptResult(outcome, httpStatus, errorClass, errorText, latencyMs, millis);
    }

    public boolean delivered() {
        return outcome == Outcome.DELIVERED;
    }

    static String bounded(String text) {
        return text == null || text.length() <= MAX_ERROR ? text : text.substring(0, MAX_ERROR - 1) + "…";
    }
}
