package dev.iucore.pipeline.cli;

import java.util.Locale;

/** How an invocation ended, as recorded in {@code iu_command_log.outcome}. */
public enum Outcome {
    RUNNING, OK, FAILED, REFUSED, ERROR;

    public String sqlName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
