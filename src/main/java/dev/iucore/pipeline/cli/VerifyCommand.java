package dev.iucore.pipeline.cli;

import dev.iucore.pipeline.db.Database;
import dev.iucore.pipeline.db.Migrator;
import dev.iucore.pipeline.db.SchemaInventory.Roles;
import dev.iucore.pipeline.verify.BoundaryCheck;
import dev.iucore.pipeline.verify.BoundaryProbe;
import dev.iucore.pipeline.verify.ConformanceManifest;
import dev.iucore.pipeline.verify.HealthCheck;
import dev.iucore.pipeline.verify.HealthThresholds;
import dev.iucore.pipeline.verify.SchemaConformance;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code iu-core verify boundary|conformance|health}. */
@Command(name = "verify", description = "Checks that hold or do not: exit 0 holds, 1 does not.",
        subcommands = {VerifyCommand.Boundary.class, VerifyCommand.Conformance.class, VerifyCommand.Health.class})
final class VerifyCommand {

    @Command(name = "boundary", description = {
        "Prove an event type is internal only, layer by layer: L1 registry lane not live, L2 no route rows,",
        "L3 worker gates closed (delivery_enabled closed, delivery_live_routes empty), and whether its own",
        "routes are gated; then a probe through the real relay (dispatch, delayed-lane release, delivery",
        "claim) in one transaction that is always rolled back. --all: every internal-only type.",
        "Exit 0 holds (L1, L2, its routes gated, the probe clean; the verdict says whether L3 holds too), 1 not."})
    static final class Boundary implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "<event-type>", arity = "0..1")
        String eventType;

        @Option(names = "--all", description = "Every type the registry marks internal-only (the field report's BOUNDARY_INVARIANT).")
        boolean all;

        @Mixin
        JsonOption json;

        private final CommandContext context;

        Boundary(CommandContext context) {
            this.context = context;
        }

        @Override
        public Integer call() throws Exception {
            if (all == (eventType != null)) {
                throw new ParameterException(spec.commandLine(),
                        "give one event type or --all, e.g. verify boundary iu.template.instance_auto_composed");
            }
            BoundaryCheck check = new BoundaryCheck(context.database().runtime(), context.settings());
            if (all) {
                return invariant(check.checkAll());
            }
            BoundaryCheck.Report report = check.check(eventType);
            if (json.enabled()) {
                Output.printJson(context.out(), asJson(report));
            } else {
                print(report);
            }
            return report.internalOnlyHolds() ? ExitCode.OK : ExitCode.FAILED;
        }

        private int invariant(BoundaryCheck.Invariant invariant) {
            String line = "BOUNDARY_INVARIANT internal_only_holds=" + invariant.internalOnlyHolds() + ": "
                    + (invariant.types().size() - invariant.typesFailing().size()) + " of " + invariant.types().size()
                    + " internal-only types hold" + (invariant.typesFailing().isEmpty() ? ""
                    : "; not: " + String.join(", ", invariant.typesFailing()))
                    + (invariant.types().isEmpty() ? " (the registry marks no type internal-only)"
                    : "; fewest layers holding " + invariant.minLayersHolding() + " of 3");
            if (json.enabled()) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("internal_only_holds", invariant.internalOnlyHolds());
                result.put("internal_types", invariant.types().size());
                result.put("types_failing", invariant.typesFailing());
                result.put("min_layers_holding", invariant.minLayersHolding());
                result.put("verdict", line);
                result.put("types", invariant.types().stream().map(Boundary::asJson).toList());
                Output.printJson(context.out(), result);
            } else {
                Output.printTable(context.out(), List.of("EVENT TYPE", "L1", "L2", "L3", "ROUTES GATED", "PROBE", "HOLDS"),
                        invariant.types().stream().map(r -> List.of(r.eventType(), mark(r.layers().get(0)),
                                mark(r.layers().get(1)), mark(r.layers().get(2)), mark(r.routesGated()),
                                probeSummary(r.probe()), Boolean.toString(r.internalOnlyHolds()))).toList());
                context.out().println(line);
            }
            return invariant.internalOnlyHolds() ? ExitCode.OK : ExitCode.FAILED;
        }

        private void print(BoundaryCheck.Report report) {
            List<BoundaryCheck.Layer> rows = new ArrayList<>(report.layers());
            rows.add(report.routesGated());
            Output.printTable(context.out(), List.of("LAYER", "CHECK", "HOLDS", "DETAIL"),
                    rows.stream().map(l -> List.of(l.id(), l.name(), Boolean.toString(l.holds()), l.detail())).toList());
            BoundaryProbe.Result probe = report.probe();
            context.out().printf("probe: event %s %s after one dispatch pass%n", probe.probeEventId(),
                    probe.statusAfterDispatch());
            for (BoundaryProbe.Release release : probe.releases()) {
                context.out().printf("  delayed-lane release (%s): %s; the event is %s%n", release.gates(),
                        release.claimed() ? "released it" : release.deliveryEnabled() ? "did not take it"
                                : "released nothing (delivery_enabled closed)", release.statusAfter());
            }
            context.out().printf("  %s; after ROLLBACK %d trace in event_outbox%n", probeSummary(probe),
                    probe.traceAfterRollback());
            context.out().println(report.verdict());
        }

        private static String probeSummary(BoundaryProbe.Result probe) {
            return "deliveries " + probe.deliveries() + ", attempts " + probe.attempts() + ", dead letters "
                    + probe.deadLetters() + ", leased " + probe.deliveriesLeased();
        }

        private static String mark(BoundaryCheck.Layer layer) {
            return layer.holds() ? "holds" : "NOT";
        }

        private static Map<String, Object> asJson(BoundaryCheck.Report report) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("event_type", report.eventType());
            result.put("internal_only_holds", report.internalOnlyHolds());
            result.put("layers_holding", report.layersHolding());
            result.put("verdict", report.verdict());
            result.put("layers", report.layers());
            result.put("routes_gated", report.routesGated());
            result.put("probe", report.probe());
            return result;
        }
    }

    @Command(name = "conformance", description = {
        "Compare the live schema with the expected manifest, per category: tables, columns, indexes,",
        "constraints, functions, triggers, views, sequences, owners, grants, default privileges, roles.",
        "Every object missing from or unexpected in the live catalog is listed."})
    static final class Conformance implements Callable<Integer> {

        @Option(names = "--write-manifest", paramLabel = "<file>", description = {
            "Instead of comparing, write this database's objects as the manifest, e.g. to",
            "src/main/resources/conformance/manifest.json from a freshly migrated database."})
        Path writeManifest;

        @Mixin
        JsonOption json;

        private final CommandContext context;

        Conformance(CommandContext context) {
            this.context = context;
        }

        @Override
        public Integer call() throws SQLException, IOException {
            Database database = context.database();
            Roles roles = new Roles(database.ownerUser(), database.runtimeUser(), database.schedulerUser());
            try (Connection c = database.runtime().getConnection()) {
                if (writeManifest != null) {
                    return write(ConformanceManifest.fromLive(c, roles, database.owner(),
                            new Migrator(database.owner(), database.runtimeUser())));
                }
                SchemaConformance.Report report = SchemaConformance.check(c, roles, ConformanceManifest.packaged());
                if (json.enabled()) {
                    Map<String, Object> result = new LinkedHashMap<>();
                    result.put("conforms", report.conforms());
                    result.put("expected_objects", report.expectedObjects());
                    result.put("manifest_schema_version", report.manifestSchemaVersion());
                    result.put("live_schema_version", report.liveSchemaVersion());
                    result.put("categories", report.categories().stream().map(Conformance::asJson).toList());
                    result.put("blocked", report.blocked().stream().map(b -> Map.of("version", b.version(),
                            "description", b.description(), "objects", b.objects())).toList());
                    Output.printJson(context.out(), result);
                } else {
                    print(report);
                }
                return report.conforms() ? ExitCode.OK : ExitCode.FAILED;
            }
        }

        private static Map<String, Object> asJson(SchemaConformance.Category c) {
            Map<String, Object> category = new LinkedHashMap<>();
            category.put("category", c.category());
            category.put("pass", c.pass());
            category.put("result", c.result());
            category.put("expected", c.expected());
            category.put("found", c.found());
            category.put("matched", c.matched());
            category.put("missing", c.missing());
            category.put("unexpected", c.unexpected());
            return category;
        }

        private int write(ConformanceManifest manifest) throws IOException {
            manifest.write(writeManifest);
            if (json.enabled()) {
                Output.printJson(context.out(), Map.of("written", writeManifest.toString(),
                        "schema_version", manifest.schemaVersion(), "objects", manifest.objectCount()));
            } else {
                context.out().printf("wrote %d objects in %d categories (schema version %s) to %s%n",
                        manifest.objectCount(), manifest.categories().size(), manifest.schemaVersion(), writeManifest);
            }
            return ExitCode.OK;
        }

        private void print(SchemaConformance.Report report) {
            Output.printTable(context.out(), List.of("CATEGORY", "EXPECTED", "FOUND", "RESULT"),
                    report.categories().stream().map(c -> List.of(c.category(), Integer.toString(c.expected()),
                            Integer.toString(c.found()), c.result())).toList());
            List<List<String>> deviations = new ArrayList<>();
            for (SchemaConformance.Category c : report.categories()) {
                c.missing().forEach(o -> deviations.add(List.of("missing", c.category(), o)));
                c.unexpected().forEach(o -> deviations.add(List.of("unexpected", c.category(), o)));
            }
            if (!deviations.isEmpty()) {
                context.out().println();
                Output.printTable(context.out(), List.of("DEVIATION", "CATEGORY", "OBJECT"), deviations);
            }
            for (SchemaConformance.Blocked b : report.blocked()) {
                context.out().println();
                context.out().printf("blocked: optional step %s (%s) is not applied, so its %d object%s %s not expected"
                                + " (`iu-core migrate` names the privilege it needs and who can grant it):%n",
                        b.version(), b.description(), b.objects().size(), b.objects().size() == 1 ? "" : "s",
                        b.objects().size() == 1 ? "is" : "are");
                b.objects().forEach(o -> context.out().println("  " + o));
            }
            context.out().println();
            context.out().printf("%d/%d categories PASS, %d objects expected; schema version %s (manifest %s)%n",
                    report.passingCategories(), report.categories().size(), report.expectedObjects(),
                    report.liveSchemaVersion(), report.manifestSchemaVersion());
            context.out().println("conformance: " + (report.conforms() ? "PASS" : "FAIL")
                    + (report.blocked().isEmpty() ? "" : ", " + report.blocked().size() + " optional step blocked"));
        }
    }

    @Command(name = "health", description = {
        "Outbox backlog and oldest pending age, held events, deliveries retrying and dead, open dead",
        "letters, stuck leases, and dead tuples and last vacuum of the hot tables, against the",
        "iu.health.* thresholds. Exit 0 healthy, 1 not."})
    static final class Health implements Callable<Integer> {

        @Mixin
        JsonOption json;

        private final CommandContext context;

        Health(CommandContext context) {
            this.context = context;
        }

        @Override
        public Integer call() throws SQLException {
            HealthThresholds limits = HealthThresholds.from(context.settings());
            HealthCheck.Report report;
            try (Connection c = context.database().runtime().getConnection()) {
                report = HealthCheck.run(c, limits);
            }
            if (json.enabled()) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("healthy", report.healthy());
                result.put("failures", report.failures());
                result.put("checks", report.checks());
                result.put("max_dead_tuple_ratio", limits.maxDeadTupleRatio());
                result.put("tables", report.tables());
                Output.printJson(context.out(), result);
            } else {
                print(report, limits);
            }
            return report.healthy() ? ExitCode.OK : ExitCode.FAILED;
        }

        private void print(HealthCheck.Report report, HealthThresholds limits) {
            Output.printTable(context.out(), List.of("CHECK", "VALUE", "LIMIT", "VERDICT", "DETAIL"),
                    report.checks().stream().map(c -> List.of(c.name(), Long.toString(c.value()),
                            c.threshold() == null ? "-" : Long.toString(c.threshold()),
                            c.threshold() == null ? "info" : c.ok() ? "ok" : "FAIL", c.detail())).toList());
            context.out().println();
            String limit = percent(limits.maxDeadTupleRatio());
            Output.printTable(context.out(), List.of("HOT TABLE", "LIVE", "DEAD", "DEAD RATIO", "LIMIT", "VERDICT",
                            "LAST VACUUM", "LAST AUTOVACUUM"),
                    report.tables().stream().map(t -> List.of(t.table(), Long.toString(t.liveTuples()),
                            Long.toString(t.deadTuples()), percent(t.deadRatio()), limit, t.ok() ? "ok" : "FAIL",
                            String.valueOf(t.lastVacuum() == null ? "never" : t.lastVacuum()),
                            String.valueOf(t.lastAutovacuum() == null ? "never" : t.lastAutovacuum()))).toList());
            context.out().println();
            context.out().println(report.healthy() ? "health: healthy"
                    : "health: NOT healthy: " + String.join(", ", report.failures()));
        }

        private static String percent(double ratio) {
            return String.format(Locale.ROOT, "%.1f%%", ratio * 100);
        }
    }
}
