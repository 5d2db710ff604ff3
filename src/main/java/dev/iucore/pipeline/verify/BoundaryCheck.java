package dev.iucore.pipeline.verify;

import dev.iucore.pipeline.config.Settings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * {@code verify boundary}: is an event type internal only? The three layers of the field report read
 * from the {@code iu_core_event_boundary} view, each reported on its own (L1 registry, L2 route
 * table, L3 worker gates: delivery off and no live routes), whether the type's own routes are gated,
 * then the rolled-back probe through the real relay. The type holds when L1, L2, its routes' gates
 * and the probe do; L3 is a property of the whole deployment, so the verdict names whether it holds
 * too instead of requiring it (with delivery on, every internal type would fail).
 */
public final class BoundaryCheck {

    static final String LAYERS = """
            SELECT delivery_lane, internal_only, l1_registry_internal, outbound_routes, sql_routes, l2_no_routes,
                   routes_gated, l3_worker_gates_closed,
                   fn_iu_core_gate_open('delivery_enabled'), array_to_string(fn_iu_core_gate_list('delivery_live_routes'), ',')
              FROM iu_core_event_boundary WHERE event_type = ?""";
    static final String WORKER_GATES = """
            SELECT fn_iu_core_worker_gates_closed(), fn_iu_core_gate_open('delivery_enabled'),
                   array_to_string(fn_iu_core_gate_list('delivery_live_routes'), ',')""";
    static final String INTERNAL_TYPES = "SELECT event_type FROM event_type_registry WHERE internal_only ORDER BY event_type";

    private final DataSource dataSource;
    private final Settings settings;

    public BoundaryCheck(DataSource dataSource, Settings settings) {
        this.dataSource = dataSource;
        this.settings = settings;
    }

    /** Every type the registry marks internal-only, each checked with its probe: the field report's BOUNDARY_INVARIANT. */
    public Invariant checkAll() throws Exception {
        List<String> types = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(INTERNAL_TYPES);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                types.add(rs.getString(1));
            }
        }
        List<Report> reports = new ArrayList<>();
        for (String type : types) {
            reports.add(check(type));
        }
        return new Invariant(reports);
    }

    public Report check(String eventType) throws Exception {
        List<Layer> layers = new ArrayList<>();
        Layer routesGated;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(LAYERS)) {
            ps.setString(1, eventType);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    layers.add(new Layer("L1", "registry", false, "not registered in event_type_registry"));
                    layers.add(new Layer("L2", "route table", true, "no route can reference an unregistered type"));
                    layers.add(workerGates(c));
                    routesGated = new Layer("routes", "its routes gated", true, "it has no route");
                } else {
                    layers.add(new Layer("L1", "registry", rs.getBoolean(3), "lane " + rs.getString(1)
                            + (rs.getBoolean(2) ? ", internal-only: the database refuses its routes" : ", not marked internal-only")));
                    layers.add(new Layer("L2", "route table", rs.getBoolean(6),
                            rs.getLong(4) + " outbound and " + rs.getLong(5) + " SQL route(s)"));
                    layers.add(new Layer("L3", "worker gates", rs.getBoolean(8), gates(rs.getBoolean(9), rs.getString(10))));
                    routesGated = new Layer("routes", "its routes gated", rs.getBoolean(7), rs.getBoolean(7)
                            ? (rs.getBoolean(6) ? "it has no route" : "none of its routes is allowed by the gates now")
                            : "a route of it is allowed by the gates now");
                }
            }
        }
        BoundaryProbe.Result probe = new BoundaryProbe(dataSource, settings).run(eventType);
        boolean holds = layers.get(0).holds() && layers.get(1).holds() && routesGated.holds() && probe.noDeliveryWork()
                && probe.traceAfterRollback() == 0;
        return new Report(eventType, layers, routesGated, probe, holds);
    }

    private static Layer workerGates(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(WORKER_GATES); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new Layer("L3", "worker gates", rs.getBoolean(1), gates(rs.getBoolean(2), rs.getString(3)));
        }
    }

    private static String gates(boolean deliveryEnabled, String liveRoutes) {
        return "delivery_enabled " + (deliveryEnabled ? "open" : "closed") + ", delivery_live_routes "
                + (liveRoutes.isEmpty() ? "empty" : liveRoutes);
    }

    public record Layer(String id, String name, boolean holds, String detail) {
    }

    /**
     * One type's verdict. {@code layersHolding}: the ids of the layers that hold (all three: the
     * field report's reading); {@code internalOnlyHolds}: the type cannot leak (L1, L2, its routes
     * gated, the probe clean).
     */
    public record Report(String eventType, List<Layer> layers, Layer routesGated, BoundaryProbe.Result probe,
                         boolean internalOnlyHolds) {

        public List<String> layersHolding() {
            return layers.stream().filter(Layer::holds).map(Layer::id).toList();
        }

        /** {@code L1 registry, L2 route table and L3 worker gates hold}, then what does not. */
        public String verdict() {
            List<String> failing = new ArrayList<>();
            layers.stream().filter(l -> !l.holds()).forEach(l -> failing.add(l.id() + " " + l.name() + ": " + l.detail()));
            if (!routesGated.holds()) {
                failing.add(routesGated.name() + ": " + routesGated.detail());
            }
            if (!probe.noDeliveryWork() || probe.traceAfterRollback() != 0) {
                failing.add("probe: " + probe.deliveries() + " deliveries, " + probe.attempts() + " attempts, "
                        + probe.deadLetters() + " dead letters, " + probe.deliveriesLeased() + " leased, "
                        + probe.traceAfterRollback() + " trace after rollback");
            }
            List<String> holding = layers.stream().filter(Layer::holds).map(l -> l.id() + " " + l.name()).toList();
            return "internal_only_holds=" + internalOnlyHolds + ": " + layersHolding().size() + " of 3 layers hold"
                    + (holding.isEmpty() ? "" : " (" + String.join(", ", holding) + ")")
                    + (failing.isEmpty() ? "" : "; not: " + String.join("; ", failing));
        }
    }

    /** The invariant over every internal-only type: it holds when each of them does (and with none). */
    public record Invariant(List<Report> types) {

        public boolean internalOnlyHolds() {
            return types.stream().allMatch(Report::internalOnlyHolds);
        }

        public List<String> typesFailing() {
            return types.stream().filter(r -> !r.internalOnlyHolds()).map(Report::eventType).toList();
        }

        /** The fewest layers holding for any type: 3 is the field report's "all three layers green". */
        public int minLayersHolding() {
            return types.stream().mapToInt(r -> r.layersHolding().size()).min().orElse(0);
        }
    }
}
