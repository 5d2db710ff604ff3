package dev.iucore.pipeline.verify;

import dev.iucore.pipeline.config.Settings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * {@code verify boundary}: is an event type internal only? Three independent layers read from the
 * {@code iu_core_event_boundary} view, each reported on its own, then the rolled-back probe
 * through the real relay. It holds only when every layer and the probe do.
 */
public final class BoundaryCheck {

    static final String LAYERS = """
            SELECT delivery_lane, l1_registry_internal, outbound_routes, sql_routes, l2_no_routes, l3_gate_blocks
              FROM iu_core_event_boundary WHERE event_type = ?""";

    private final DataSource dataSource;
    private final Settings settings;

    public BoundaryCheck(DataSource dataSource, Settings settings) {
        this.dataSource = dataSource;
        this.settings = settings;
    }

    public Report check(String eventType) throws Exception {
        List<Layer> layers = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(LAYERS)) {
            ps.setString(1, eventType);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    layers.add(new Layer("L1", "registry", false, "not registered in event_type_registry"));
                    layers.add(new Layer("L2", "route table", true, "no route can reference an unregistered type"));
                    layers.add(new Layer("L3", "worker gate", true, "no route to allow"));
                } else {
                    layers.add(new Layer("L1", "registry", rs.getBoolean(2), "lane " + rs.getString(1)));
                    layers.add(new Layer("L2", "route table", rs.getBoolean(5),
                            rs.getLong(3) + " outbound and " + rs.getLong(4) + " SQL route(s)"));
                    layers.add(new Layer("L3", "worker gate", rs.getBoolean(6), rs.getBoolean(6)
                            ? "delivery_enabled closed, or none of its routes allowed"
                            : "delivery_enabled open and a route of the type allowed"));
                }
            }
        }
        BoundaryProbe.Result probe = new BoundaryProbe(dataSource, settings).run(eventType);
        boolean holds = layers.stream().allMatch(Layer::holds) && probe.noDeliveryWork()
                && probe.traceAfterRollback() == 0;
        return new Report(eventType, layers, probe, holds);
    }

    public record Layer(String id, String name, boolean holds, String detail) {
    }

    public record Report(String eventType, List<Layer> layers, BoundaryProbe.Result probe, boolean internalOnlyHolds) {

        /** The first layer that does not hold, for the one-line verdict. */
        public Optional<Layer> broken() {
            return layers.stream().filter(l -> !l.holds()).findFirst();
        }
    }
}
