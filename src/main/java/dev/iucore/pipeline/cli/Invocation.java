package dev.iucore.pipeline.cli;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One command invocation as {@code iu_command_log} records it. */
public final class Invocation {

    private final String commandName;
    private final String actor;
    private final List<String> arguments;
    private final boolean dryRun;
    private final boolean json;
    private final String node;
    private final OffsetDateTime startedAt = OffsetDateTime.now();
    private final Map<String, Long> rowDeltas = new LinkedHashMap<>();
    private Long id;
    private Outcome outcome = Outcome.RUNNING;
    private Integer exitCode;
    private String message;
    private CommandFailure.Problem problem;
    private OffsetDateTime finishedAt;

    Invocation(String commandName, String actor, List<String> arguments, boolean dryRun, boolean json, String node) {
        this.commandName = commandName;
        this.actor = actor;
        this.arguments = List.copyOf(arguments);
        this.dryRun = dryRun;
        this.json = json;
        this.node = node;
    }

    void finish(Outcome outcome, int exitCode, String message) {
        this.outcome = outcome;
        this.exitCode = exitCode;
        this.message = message;
        this.finishedAt = OffsetDateTime.now();
    }

    /** Rows a command changed, per table, recorded with the invocation. */
    public void rowDelta(String table, long delta) {
        rowDeltas.merge(table, delta, Long::sum);
    }

    public String commandName() {
        return commandName;
    }

    public String actor() {
        return actor;
    }

    List<String> arguments() {
        return arguments;
    }

    boolean dryRun() {
        return dryRun;
    }

    /** Machine output was asked for: nothing but the JSON, no progress display. */
    boolean json() {
        return json;
    }

    String node() {
        return node;
    }

    OffsetDateTime startedAt() {
        return startedAt;
    }

    OffsetDateTime finishedAt() {
        return finishedAt;
    }

    long durationMs() {
        return Duration.between(startedAt, finishedAt == null ? OffsetDateTime.now() : finishedAt).toMillis();
    }

    Map<String, Long> rowDeltas() {
        return rowDeltas;
    }

    Long id() {
        return id;
    }

    void id(Long id) {
        this.id = id;
    }

    Outcome outcome() {
        return outcome;
    }

    Integer exitCode() {
        return exitCode;
    }

    String message() {
        return message;
    }

    /** What a refusal was about, when the command said; not logged (the message says it). */
    CommandFailure.Problem problem() {
        return problem;
    }

    void problem(CommandFailure.Problem problem) {
        this.problem = problem;
    }
}
