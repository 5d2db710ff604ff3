package dev.iucore.pipeline.api;

import java.util.List;
import java.util.UUID;

/**
 * Runs one {@code iu-core} command in this process exactly as the command line does: the same
 * parsing, checks, gates and output, recorded in {@code iu_command_log} under its catalog name with
 * {@code actor}. The API changes nothing by any other path, so nothing done through it escapes the
 * gates, the audit or the command log. Implemented by the CLI ({@code cli.InProcessCommands}).
 */
public interface CommandRunner {

    /** @param argv the command and its options, e.g. {@code gates open delivery_enabled --reason=… --json} */
    Result run(String actor, List<String> argv);

    /**
     * Runs a batch command ({@code retention}, {@code scaleout} with {@code --evidence}) on a thread
     * of its own, exactly as {@link #run} does, and returns as soon as it has recorded its batch run
     * (the run goes on; its row and its command-log row tell how it ends) or has ended without one
     * (a refusal or a usage error before anything started), whichever comes first.
     */
    Started start(String actor, List<String> argv);

    /** A batch under way ({@code runId}, no result yet) or one that ended before it recorded a run ({@code result}). */
    record Started(UUID runId, Result result) {
    }

    /**
     * @param exitCode 0 ok, 1 refused or failed, 2 usage error
     * @param outcome as {@code iu_command_log.outcome} records it ({@code ok}, {@code refused},
     *        {@code failed}, {@code error}), or {@code usage} for arguments the command rejected
     * @param problem for a refusal that says what it was about: {@code invalid} (the request),
     *        {@code not_found}, {@code conflict} (it exists already); else null
     * @param output what the command printed (its {@code --json} document)
     * @param message the command's error message, if any
     */
    record Result(int exitCode, String outcome, String problem, String output, String message) {
    }
}
