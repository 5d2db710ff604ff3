package dev.iucore.pipeline.cli;

import dev.iucore.pipeline.api.ApiServer;
import dev.iucore.pipeline.api.ConsoleUsers;
import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.db.Database;
import dev.iucore.pipeline.service.ManagementPort;
import dev.iucore.pipeline.service.PipelineService;
import dev.iucore.pipeline.service.TerminationSignals;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;

/** {@code iu-core run}: the service, until SIGTERM/SIGINT; then Camel stops, then the database. */
@Command(name = "run", description = "Start the service: relay, delivery and scheduled batches (the default).")
final class RunCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    private final CommandContext context;

    RunCommand(CommandContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        context.settings().validate();
        Logging.service(context.settings().get(Setting.LOG_LEVEL), context.settings().get(Setting.LOG_FORMAT));
        ConsoleUsers apiUsers = context.settings().getBoolean(Setting.CONSOLE_ENABLED)
                ? ApiServer.users(context.settings()) : null;
        Database database = openService(context);
        database.dropOwnerCredentials();
        ApiServer api = apiUsers == null ? null : ApiServer.start(context.settings(), apiUsers, database.runtime(),
                new InProcessCommands(context.settings().with(Setting.DB_OWNER_PASSWORD, ""), database));
        try {
            PipelineService service = new PipelineService(context.settings().with(Setting.DB_OWNER_PASSWORD, ""),
                    database.runtime(), database.scheduler());
            TerminationSignals.onTerminate(service::stop);
            service.run();
        } finally {
            if (api != null) {
                api.close();
            }
        }
        LOG.info("iu-core stopped");
        return ExitCode.OK;
    }

    /** The service's database, migrated, with the invocation's start recorded: for run and demo run. */
    static Database openService(CommandContext context) {
        // before the database: a second process on a host must not start without health and metrics
        ManagementPort.ensureFree(context.settings());
        Database database = context.serviceDatabase();
        LOG.info("database: {}", database.describe());
        if (context.settings().getBoolean(Setting.MIGRATE_ON_START)) {
            migrate(database);
        }
        context.recordStart();
        return database;
    }

    private static void migrate(Database database) {
        try {
            database.migrator().migrate();
        } catch (RuntimeException e) {
            throw CommandFailure.refused("cannot apply migrations as the owner role " + database.ownerUser() + ": "
                    + Errors.describe(e) + ". Set IU_DB_OWNER_USER and IU_DB_OWNER_PASSWORD, or set "
                    + Setting.MIGRATE_ON_START.key() + "=false and run `iu-core migrate` with owner credentials");
        }
    }
}
