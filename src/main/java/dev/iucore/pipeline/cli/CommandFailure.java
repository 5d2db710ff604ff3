package dev.iucore.pipeline.cli;

/** Ends a command with a clear message and exit code 1; no stack trace is shown. */
public class CommandFailure extends RuntimeException {

    /**
     * What a refusal was about, where a caller answers it differently (the operator API: 400, 404,
     * 409): the request itself, a thing that is not there, or one that already is.
     */
    public enum Problem {
        INVALID, NOT_FOUND, CONFLICT;

        public String code() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Outcome outcome;
    private final Problem problem;

    public CommandFailure(Outcome outcome, String message) {
        this(outcome, null, message);
    }

    private CommandFailure(Outcome outcome, Problem problem, String message) {
        super(message);
        this.outcome = outcome;
        this.problem = problem;
    }

    /** Refused, nothing done, for the kind of reason {@code problem} names. */
    public static CommandFailure refused(Problem problem, String message) {
        return new CommandFailure(Outcome.REFUSED, problem, message);
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

    /** Null unless the refusal said what it was about. */
    public Problem problem() {
        return problem;
    }
}
