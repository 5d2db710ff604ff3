package dev.iucore.pipeline.cli;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code iu-core log}: what was run, by whom, with which outcome, newest first. */
@Command(name = "log", description = "List recorded command invocations (iu_command_log), newest first.")
final class LogCommand implements Callable<Integer> {

    static final String KNOWN_COMMAND = "SELECT 1 FROM dot_iu_command_catalog WHERE command_name = ?";
    static final String NEWEST = """
            SELECT id, started_at, command_name, actor, db_user, arguments::text, dry_run, outcome, exit_code,
                   duration_ms, row_deltas::text, message, node
            FROM iu_command_log
            WHERE ?::text IS NULL OR command_name = ?
            ORDER BY started_at DESC, id DESC
            LIMIT ?""";
    private static final int MESSAGE_WIDTH = 60;

    @Spec
    CommandSpec spec;

    @Option(names = "--limit", defaultValue = "50", description = "At most this many (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--command", description = "Only this command, e.g. \"gates open\".")
    String command;

    @Mixin
    JsonOption json;

    private final CommandContext context;

    LogCommand(CommandContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws SQLException {
        if (limit < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--limit must be 1 or more, not " + limit);
        }
        List<Entry> entries = new ArrayList<>();
        try (Connection c = context.database().runtime().getConnection()) {
            if (command != null) {
                requireKnown(c);
            }
            try (PreparedStatement ps = c.prepareStatement(NEWEST)) {
                ps.setString(1, command);
                ps.setString(2, command);
                ps.setInt(3, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        entries.add(new Entry(rs.getLong(1), rs.getObject(2, OffsetDateTime.class), rs.getString(3),
                                rs.getString(4), rs.getString(5), Output.parseJson(rs.getString(6)), rs.getBoolean(7),
                                rs.getString(8), (Integer) rs.getObject(9), (Long) rs.getObject(10),
                                Output.parseJson(rs.getString(11)), rs.getString(12), rs.getString(13)));
                    }
                }
            }
        }
        if (json.enabled()) {
            Output.printJson(context.out(), Map.of("entries", entries));
        } else {
            Output.printTable(context.out(),
                    List.of("ID", "STARTED", "COMMAND", "ACTOR", "OUTCOME", "EXIT", "MS", "ARGUMENTS", "MESSAGE"),
                    entries.stream().map(e -> List.of(Long.toString(e.id()), String.valueOf(e.startedAt()),
                            e.command(), e.actor(), e.outcome() + (e.dryRun() ? " (dry-run)" : ""),
                            e.exitCode() == null ? "-" : e.exitCode().toString(),
                            e.durationMs() == null ? "-" : e.durationMs().toString(),
                            String.join(" ", argumentsOf(e)), shorten(e.message()))).toList());
        }
        return ExitCode.OK;
    }

    private void requireKnown(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(KNOWN_COMMAND)) {
            ps.setString(1, command);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--command \"" + command
                            + "\" is not a command of the catalog (dot_iu_command_catalog), e.g. \"gates open\"");
                }
            }
        }
    }

    private static List<String> argumentsOf(Entry entry) {
        List<String> arguments = new ArrayList<>();
        if (entry.arguments() instanceof List<?> list) {
            list.forEach(a -> arguments.add(String.valueOf(a)));
        }
        return arguments;
    }

    private static String shorten(String message) {
        if (message == null) {
            return "";
        }
        return message.length() <= MESSAGE_WIDTH ? message : message.substring(0, MESSAGE_WIDTH - 1) + "…";
    }

    /** One invocation as recorded: the actor it claimed, and the database user that wrote it. */
    record Entry(long id, OffsetDateTime startedAt, String command, String actor, String dbUser, Object arguments,
                 boolean dryRun, String outcome, Integer exitCode, Long durationMs, Object rowDeltas, String message, String node) {
    }
}
