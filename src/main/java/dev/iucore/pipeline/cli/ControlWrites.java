package dev.iucore.pipeline.cli;

import dev.iucore.pipeline.cli.CommandFailure.Problem;
import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.control.RouteWrites;
import dev.iucore.pipeline.delivery.TargetAddressGuard;
import dev.iucore.pipeline.delivery.TargetRules;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * What the route and event-type commands share: who and why (audited), and how a refusal of the
 * database or of the relay's target rules ends the command, saying what it was about, so the
 * operator API answers 400, 404 or 409 with the same message the terminal shows.
 */
final class ControlWrites {

    /** {@code --actor} and {@code --reason}, both required: they land in the audit row. */
    static final class Audit {

        @Option(names = "--actor", required = true, description = "Who makes the change (audited).")
        String actor;

        @Option(names = "--reason", required = true, description = "Why (audited).")
        String reason;
    }

    @FunctionalInterface
    interface Write<T> {
        T run() throws SQLException;
    }

    private ControlWrites() {
    }

    /** The relay's target rules with this node's {@code iu.delivery.allowed-networks}, as the relay builds them. */
    static TargetRules targetRules(CommandContext context) {
        return new TargetRules(TargetAddressGuard.allowing(context.settings().get(Setting.DELIVERY_ALLOWED_NETWORKS)));
    }

    /**
     * The answer of a route or event-type write: its control-audit row counted (none on a dry run),
     * then {@code {"dry_run": …, "<name>": <row>}} with --json, else {@code line}.
     */
    static void report(CommandContext context, JsonOption json, boolean dryRun, String name, Object written, String line) {
        if (!dryRun) {
            context.invocation().rowDelta("iu_core_control_audit", 1);
        }
        if (json.enabled()) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("dry_run", dryRun);
            body.put(name, written);
            Output.printJson(context.out(), body);
        } else {
            context.out().println(line);
        }
    }

    /** {@code added}, or on a dry run {@code would be added (dry run, nothing written)}. */
    static String done(String verb, boolean dryRun) {
        return dryRun ? "would be " + verb + " (dry run, nothing written)" : verb;
    }

    static <T> T run(Write<T> write) throws SQLException {
        try {
            return write.run();
        } catch (RouteWrites.TargetRefusedException e) {
            throw CommandFailure.refused(Problem.INVALID, e.getMessage());
        } catch (SQLException e) {
            Problem problem = problem(e.getSQLState());
            if (problem == null) {
                throw e;
            }
            throw CommandFailure.refused(problem, Errors.describe(e));
        }
    }

    /** The SQLSTATEs the functions of migration V090 and the tables' rules raise for a request to fix. */
    private static Problem problem(String state) {
        if (state == null) {
            return null;
        }
        return switch (state) {
            case "23505" -> Problem.CONFLICT;
            case "P0002" -> Problem.NOT_FOUND;
            // foreign key, check, not null; a bad parameter, text, number or length
            case "23503", "23514", "23502", "22023", "22P02", "22003", "22001" -> Problem.INVALID;
            default -> null;
        };
    }
}
