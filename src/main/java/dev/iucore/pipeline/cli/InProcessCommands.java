package dev.iucore.pipeline.cli;

import dev.iucore.pipeline.api.CommandRunner;
import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.config.Settings;
import dev.iucore.pipeline.db.Database;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * The operator API's way to change anything: the very command the CLI runs, on the service's
 * database, through {@link AuditedExecution}, so its row in {@code iu_command_log} (catalog name,
 * arguments, dry run, outcome, exit code, row deltas) is the one the CLI writes, with the API's
 * caller as actor. Output goes to buffers, never the service's terminal.
 */
public final class InProcessCommands implements CommandRunner {

    private static final Logger LOG = LoggerFactory.getLogger(InProcessCommands.class);

    private final Settings settings;
    private final Database database;
    // daemon threads: a batch under way when the service stops ends with it, its run row left 'running'
    private final ExecutorService batches = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "iu-batch-run");
        thread.setDaemon(true);
        return thread;
    });

    public InProcessCommands(Settings settings, Database database) {
        this.settings = settings;
        this.database = database;
    }

    @Override
    public Result run(String actor, List<String> argv) {
        return run(actor, argv, runId -> { });
    }

    @Override
    public Started start(String actor, List<String> argv) {
        CompletableFuture<UUID> recorded = new CompletableFuture<>();
        CompletableFuture<Result> ended = CompletableFuture.supplyAsync(() -> run(actor, argv, recorded::complete), batches);
        ended.thenAccept(result -> LOG.info("batch `{}` by {} ended: {} (exit {}){}", String.join(" ", argv), actor,
                result.outcome(), result.exitCode(), result.message().isEmpty() ? "" : ": " + result.message()));
        try {
            CompletableFuture.anyOf(recorded, ended).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting " + argv.get(0), e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(argv.get(0) + " did not start: " + e.getCause().getMessage(), e.getCause());
        }
        // a run recorded is followed by its id, even if it has ended meanwhile
        return recorded.isDone() ? new Started(recorded.join(), null) : new Started(null, ended.join());
    }

    private Result run(String actor, List<String> argv, Consumer<UUID> batchRunStarted) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
             CommandContext context = new CommandContext(settings.with(Setting.ACTOR, actor), outStream, errStream,
                     database)) {
            context.onBatchRunStarted(batchRunStarted);
            CommandLine cli = IuCoreCli.commandLine(context);
            // request fields are values, never files to expand (`@/etc/passwd`)
            cli.setExpandAtFiles(false);
            // a reason may read like an option (`--value=x`): given as `--reason=--value=x`, it is the value
            cli.setAllowOptionsAsOptionParameters(true);
            cli.setParameterExceptionHandler((e, args) -> {
                errStream.println(e.getMessage());
                return ExitCode.USAGE;
            });
            int exit = cli.execute(argv.toArray(String[]::new));
            Invocation invocation = context.invocation();
            String outcome = invocation == null || invocation.outcome() == Outcome.RUNNING ? "usage"
                    : invocation.outcome().sqlName();
            String problem = invocation == null || invocation.problem() == null ? null : invocation.problem().code();
            return new Result(exit, exit == ExitCode.USAGE ? "usage" : outcome, problem,
                    out.toString(StandardCharsets.UTF_8), message(err.toString(StandardCharsets.UTF_8)));
        }
    }

    /** The command's message without the program's prefix (`iu-core gates open: `). */
    private static String message(String err) {
        String text = err.strip();
        if (text.startsWith("iu-core ")) {
            int colon = text.indexOf(": ");
            if (colon > 0) {
                text = text.substring(colon + 2);
            }
        }
        return text;
    }
}
