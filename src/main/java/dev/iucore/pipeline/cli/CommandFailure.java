package dev.iucore.pipeline.cli;

/** Ends a command with a clear message and exit code 1; no stack trace is shown. */
public class CommandFailure extends RuntimeException {

    private final Outcome outcome;

    public CommandFailure(Outcome outcome, String message) {
        super(message);
        this.outcome = outcome;
    }

    /** The work was not allowed: a closed gate, a held lock, a missing prerequisite. */
    public static CommandFailure refused(String message) {
        return new CommandFailure(Outcome.REFUSED, message);
    }

    /** The work was tried and did not succeed, or a check does not hold. */
    public static CommandFailure failed(String message) {
        return new CommandFailure(Outcome.FAILED, message);
    }

    public Outcome outcome() {
        return outcome;
    }
}
