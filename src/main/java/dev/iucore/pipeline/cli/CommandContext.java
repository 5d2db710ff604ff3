package dev.iucore.pipeline.cli;

import dev.iucore.pipeline.config.NodeId;
import dev.iucore.pipeline.config.Settings;
import dev.iucore.pipeline.db.Database;
import dev.iucore.pipeline.db.EmbeddedPostgresServer;
import java.io.PrintStream;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * What one invocation works with: configuration, output streams, and the database, opened on
 * first use and closed (the embedded server stopped, if this process started it) at the end.
 */
public final class CommandContext implements AutoCloseable {

    private final Settings settings;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean ownsDatabase;
    private Database database;
    private Invocation invocation;
    private Consumer<UUID> batchRunStarted = runId -> { };

    public CommandContext(Settings settings, PrintStream out, PrintStream err) {
        this(settings, out, err, null);
    }

    /** A context on a database someone else opened and closes (the service's, for the operator API). */
    CommandContext(Settings settings, PrintStream out, PrintStream err, Database shared) {
        this.settings = settings;
        this.out = out;
        this.err = err;
        this.database = shared;
        this.ownsDatabase = shared == null;
    }

    /** Who is told a batch run's id once its row is written (the API, which answers with it while the run goes on). */
    void onBatchRunStarted(Consumer<UUID> listener) {
        this.batchRunStarted = listener;
    }

    Consumer<UUID> batchRunStarted() {
        return batchRunStarted;
    }

    public Settings settings() {
        return settings;
    }

    public PrintStream out() {
        return out;
    }

    public PrintStream err() {
        return err;
    }

    public String node() {
        return NodeId.of(settings);
    }

    /**
     * The database, opened as a command. An embedded server this command had to start itself is
     * brought to the current schema first: the embedded database is ours to manage.
     */
    public Database database() {
        if (database == null) {
            database = open(EmbeddedPostgresServer.Mode.COMMAND);
            if (database.startedEmbeddedServer()) {
                database.migrator().migrate();
            }
        }
        return database;
    }

    /** The database exactly as it is, no migrations applied: for {@code migrate} itself. */
    public Database databaseAsIs() {
        if (database == null) {
            database = open(EmbeddedPostgresServer.Mode.COMMAND);
        }
        return database;
    }

    /** The database for the service: takes ownership of the embedded server. */
    public Database serviceDatabase() {
        if (database == null) {
            database = open(EmbeddedPostgresServer.Mode.SERVICE);
        }
        return database;
    }

    private Database open(EmbeddedPostgresServer.Mode mode) {
        String command = invocation == null ? "command" : invocation.commandName();
        return Database.open(settings, mode, command, true);
    }

    boolean hasDatabase() {
        return database != null;
    }

    void begin(Invocation invocation) {
        this.invocation = invocation;
    }

    /** The invocation under way, for commands that record row deltas or a start row. */
    public Invocation invocation() {
        return invocation;
    }

    /**
     * Progress bars only for a person at a terminal: not with {@code --json}, not when the output
     * goes to a pipe, a file or a log (no console).
     */
    boolean showsProgress() {
        return invocation != null && !invocation.json() && System.console() != null;
    }

    /** Writes the invocation's 'running' row now, for long-lived commands such as {@code run}. */
    public void recordStart() {
        new CommandLog(database().runtime(), err).begin(invocation);
    }

    @Override
    public void close() {
        if (database != null && ownsDatabase) {
            database.close();
            database = null;
        }
    }
}
