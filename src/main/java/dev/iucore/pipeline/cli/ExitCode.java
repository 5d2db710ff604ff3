package dev.iucore.pipeline.cli;

/** Exit codes scripts can trust (DESIGN §8). */
public final class ExitCode {
    /** Done; the check holds. */
    public static final int OK = 0;
    /** The check does not hold, the work was refused, or it failed. */
    public static final int FAILED = 1;
    /** The command line was wrong; nothing was done. */
    public static final int USAGE = 2;

    private ExitCode() {
    }
}
