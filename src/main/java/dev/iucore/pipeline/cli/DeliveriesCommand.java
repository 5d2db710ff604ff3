package dev.iucore.pipeline.cli;

import dev.iucore.pipeline.delivery.DeliveryBackfill;
import dev.iucore.pipeline.delivery.DeliveryBackfill.BackfillRefused;
import dev.iucore.pipeline.delivery.DeliveryBackfill.Plan;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code iu-core deliveries backfill}. */
@Command(name = "deliveries", description = "Recover deliveries the relay skipped.",
        subcommands = DeliveriesCommand.Backfill.class)
final class DeliveriesCommand {

    @Command(name = "backfill", description = {
        "Create the deliveries a route is missing for the events of its type dispatched in a window",
        "(skipped while the route was unlisted, disabled or its gate closed): once per event and route,",
        "only while the route is allowed now, gate dead_letter_replay_enabled open (not for --dry-run)."})
    static final class Backfill implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--route", required = true, description = "Route key (outbound or SQL route).")
        String route;

        @Option(names = "--since", required = true, description = "Events dispatched at or after (ISO-8601, e.g. 2026-11-29T00:00:00Z).")
        OffsetDateTime since;

        @Option(names = "--until", description = "Events dispatched before (ISO-8601); default: now.")
        OffsetDateTime until;

        @Option(names = "--limit", defaultValue = "100000", description = "At most this many deliveries in this run (default ${DEFAULT-VALUE}); run again to continue.")
        int limit;

        @Option(names = "--actor", required = true, description = "Who backfills (audited).")
        String actor;

        @Option(names = "--dry-run", description = "Count what would be created; change nothing.")
        boolean dryRun;

        @Mixin
        JsonOption json;

        private final CommandContext context;

        Backfill(CommandContext context) {
            this.context = context;
        }

        @Override
        public Integer call() throws SQLException {
            if (until != null && !since.isBefore(until)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--since " + since + " must be before --until " + until);
            }
            if (limit < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--limit must be at least 1, not " + limit);
            }
            DeliveryBackfill backfill = new DeliveryBackfill(context.database().runtime());
            Plan plan;
            try {
                plan = backfill.plan(route, since, until);
            } catch (BackfillRefused e) {
                throw CommandFailure.refused(e.getMessage());
            }
            long created = 0;
            if (plan.refusal() == null && !dryRun) {
                if (!backfill.allowed()) {
                    throw CommandFailure.refused("gate dead_letter_replay_enabled is closed; open it with "
                            + "`iu-core gates open dead_letter_replay_enabled --actor ... --reason ...`, or use --dry-run");
                }
                try (Progress progress = Progress.start(context, "backfill " + route, Math.min(plan.missing(), limit))) {
                    created = backfill.run(plan, limit, progress::stepBy);
                } catch (BackfillRefused e) {
                    throw CommandFailure.refused(e.getMessage());
                } finally {
                    context.invocation().rowDelta("iu_route_delivery", created);
                }
            }
            print(plan, created);
            if (plan.refusal() != null) {
                throw CommandFailure.refused("route " + route + " is not allowed now, nothing "
                        + (dryRun ? "would be" : "was") + " created: " + plan.refusal());
            }
            return ExitCode.OK;
        }

        private void print(Plan plan, long created) {
            long wouldCreate = plan.refusal() == null ? Math.min(plan.missing(), limit) : 0;
            if (json.enabled()) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("dry_run", dryRun);
                result.put("plan", plan);
                result.put(dryRun ? "would_create" : "created", dryRun ? wouldCreate : created);
                Output.printJson(context.out(), result);
                return;
            }
            context.out().printf("route %s (%s, %s), events dispatched %s .. %s:%n", plan.routeKey(), plan.routeKind(),
                    plan.eventType(), plan.since(), plan.until() == null ? "now" : plan.until());
            context.out().printf("  %d dispatched, %d with a delivery of the route, %d without%n",
                    plan.eventsDispatched(), plan.withDelivery(), plan.missing());
            context.out().println(dryRun ? "dry run: would create " + wouldCreate + " deliveries"
                    : created + " deliveries created" + (created >= limit ? "; --limit reached: run again for the rest" : ""));
        }
    }
}
