package dev.iucore.pipeline.cli;

import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.db.Database;
import dev.iucore.pipeline.demo.DemoDataLoader;
import dev.iucore.pipeline.demo.DemoScenario;
import dev.iucore.pipeline.service.PipelineService;
import dev.iucore.pipeline.service.TerminationSignals;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code iu-core demo load|run}. */
@Command(name = "demo", description = "The demo data set and a guided demo of the relay.",
        subcommands = {DemoCommand.Load.class, DemoCommand.Run.class})
final class DemoCommand {

    @Command(name = "load", description = "Load the demo templates and information units (idempotent).")
    static final class Load implements Callable<Integer> {

        @Mixin
        JsonOption json;

        private final CommandContext context;

        Load(CommandContext context) {
            this.context = context;
        }

        @Override
        public Integer call() throws SQLException {
            Map<String, Long> added = new DemoDataLoader(context.database().runtime()).load();
            added.forEach(context.invocation()::rowDelta);
            if (json.enabled()) {
                Output.printJson(context.out(), Map.of("added", added));
            } else {
                Output.printTable(context.out(), List.of("TABLE", "ADDED"),
                        added.entrySet().stream().map(e -> List.of(e.getKey(), Long.toString(e.getValue()))).toList());
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "run", description = {
        "Run the service with demo routes to a local target, open the relay's gates (audited), insert six events",
        "and show them flowing: a delivery, a retry, a dead letter, a log delivery, a held internal event and an",
        "unregistered type. Then the service keeps running until Ctrl-C (or stops at once with --exit); the gates",
        "are put back as they were."})
    static final class Run implements Callable<Integer> {

        @Option(names = "--exit", description = "Stop once the demo events have settled instead of running on.")
        boolean exit;

        private final CommandContext context;

        Run(CommandContext context) {
            this.context = context;
        }

        @Override
        public Integer call() throws Exception {
            context.settings().validate();
            Database database = RunCommand.openService(context);
            new DemoDataLoader(database.runtime()).load();
            // the demo's own receiver listens on loopback, which webhooks may not reach otherwise
            PipelineService service = new PipelineService(
                    context.settings().with(Setting.DELIVERY_ALLOWED_NETWORKS, DemoScenario.RECEIVER_NETWORK), database.runtime(),
                    database.scheduler());
            CompletableFuture<Void> running = CompletableFuture.runAsync(() -> {
                try {
                    service.run();
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            });
            boolean settled;
            try (DemoScenario demo = new DemoScenario(database.runtime(), database.owner(), context.out())) {
                demo.prepare();
                demo.publish();
                settled = demo.watch(Duration.ofSeconds(60));
                context.out().println(settled ? "every demo event has settled." : "some demo events have not settled within 60 s.");
                context.out().println("look closer: iu-core dead-letters list | iu-core gates list | iu-core log");
                if (!exit) {
                    context.out().println("the service keeps running with the demo routes; Ctrl-C stops it.");
                    TerminationSignals.onTerminate(service::stop);
                    running.join();
                }
            } finally {
                service.stop();
                running.join();
            }
            return settled ? ExitCode.OK : ExitCode.FAILED;
        }
    }
}
