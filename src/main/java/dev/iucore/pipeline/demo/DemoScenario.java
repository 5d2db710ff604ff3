package dev.iucore.pipeline.demo;

import dev.iucore.pipeline.gates.Gate;
import dev.iucore.pipeline.gates.GateService;
import dev.iucore.pipeline.gates.GateState;
import java.io.IOException;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The guided demo: demo routes to a local target, the relay's gates opened (audited), six events
 * that show every layer (a delivery, a retry, a dead letter, a log delivery, a held internal
 * event, an unregistered type), their flow printed as it happens, and the gates put back.
 */
public final class DemoScenario implements AutoCloseable {

    /** Where the demo's receiver listens: the one internal network {@code demo run} lets webhooks reach. */
    public static final String RECEIVER_NETWORK = "127.0.0.1/32";

    static final String ACTOR = "iu-core demo";
    static final List<String> ROUTES = List.of("demo-crm", "demo-flaky", "demo-strict", "demo-audit");

    static final String UPSERT_ROUTE = """
            INSERT INTO iu_outbound_route (route_key, event_type, target_uri, max_attempts, backoff_initial_ms,
                                           backoff_max_ms, description)
            VALUES (?, ?, ?, 3, 500, 2000, 'demo run')
            ON CONFLICT (route_key) DO UPDATE SET event_type = EXCLUDED.event_type, target_uri = EXCLUDED.target_uri""";
    static final String INSERT_EVENT = """
            INSERT INTO event_outbox (event_id, event_type, aggregate_type, aggregate_id, payload, actor)
            VALUES (?, ?, ?, ?, ?::jsonb, 'demo')""";
    static final String FLOW = """
            SELECT e.status,
                   coalesce(string_agg(d.route_key || ': ' || d.status || ' after ' || d.attempts || ' attempt(s)'
                                       || coalesce(' (' || left(d.last_error, 60) || ')', ''), '; ' ORDER BY d.id), '')
              FROM event_outbox e
              LEFT JOIN iu_route_delivery d ON d.outbox_id = e.id
             WHERE e.event_id = ?
             GROUP BY e.status""";

    static final String AUDIT_AS = """
            SELECT set_config('iu_core_audit.actor', ?, true), set_config('iu_core_audit.reason', 'demo run: demo routes', true)""";

    private final DataSource dataSource;
    private final DataSource owner;
    private final PrintStream out;
    private final DemoTarget target;
    private final Map<Gate, String> gatesBefore = new LinkedHashMap<>();
    private final Map<UUID, String> events = new LinkedHashMap<>();

    /**
     * @param dataSource the runtime role: events, gates (through their audited function), the flow
     * @param owner      the owner role, for the demo routes: the runtime role cannot change the route table
     */
    public DemoScenario(DataSource dataSource, DataSource owner, PrintStream out) throws IOException {
        this.dataSource = dataSource;
        this.owner = owner;
        this.out = out;
        this.target = new DemoTarget();
    }

    /** Demo routes pointing at the local target, and the relay's gates opened for them. */
    public void prepare() throws SQLException {
        try (Connection c = owner.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement audit = c.prepareStatement(AUDIT_AS)) {
                audit.setString(1, ACTOR);
                audit.execute();
            }
            try (PreparedStatement ps = c.prepareStatement(UPSERT_ROUTE)) {
                route(ps, "demo-crm", "iu.collection.created", target.url("/crm"));
                route(ps, "demo-flaky", "iu.document.published", target.url("/flaky"));
                route(ps, "demo-strict", "iu.information_unit.archived", target.url("/strict"));
                route(ps, "demo-audit", "iu.information_unit.created", "log:demo-audit");
            }
            c.commit();
        }
        GateService gates = new GateService(dataSource);
        for (GateState gate : gates.list()) {
            Gate.fromSqlName(gate.name()).filter(g -> g == Gate.DELIVERY_ENABLED || g == Gate.DELIVERY_LIVE_ROUTES)
                    .ifPresent(g -> gatesBefore.put(g, gate.value()));
        }
        // routes first: open delivery with nothing listed, and an event would be dispatched with no delivery
        gates.set(Gate.DELIVERY_LIVE_ROUTES, String.join(",", ROUTES), ACTOR, "demo run: demo routes live");
        gates.set(Gate.DELIVERY_ENABLED, "true", ACTOR, "demo run");
        out.println("demo routes live, gates delivery_enabled and delivery_live_routes opened (audited as \"" + ACTOR + "\")");
    }

    private static void route(PreparedStatement ps, String key, String type, String target) throws SQLException {
        ps.setString(1, key);
        ps.setString(2, type);
        ps.setString(3, target);
        ps.executeUpdate();
    }

    /** The six demo events, one per thing worth seeing. */
    public void publish() throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(INSERT_EVENT)) {
            event(ps, "iu.collection.created", "collection", "a webhook, delivered at once");
            event(ps, "iu.document.published", "document", "a webhook that fails once, then is retried");
            event(ps, "iu.information_unit.archived", "information_unit", "a webhook the target rejects: dead letter");
            event(ps, "iu.information_unit.created", "information_unit", "a log route");
            event(ps, "iu.template.instance_auto_composed", "collection", "internal only: held, never delivered");
            event(ps, "iu.demo.typo", "collection", "an unregistered type: dead letter");
        }
    }

    private void event(PreparedStatement ps, String type, String aggregateType, String meaning) throws SQLException {
        UUID id = UUID.randomUUID();
        ps.setObject(1, id);
        ps.setString(2, type);
        ps.setString(3, aggregateType);
        ps.setString(4, "demo-" + aggregateType);
        ps.setString(5, "{\"demo\": true, \"meaning\": \"" + meaning + "\"}");
        ps.executeUpdate();
        events.put(id, type);
        out.printf("inserted %-36s %s%n", type, "(" + meaning + ")");
    }

    /** Prints each event's state whenever it changes, until every one has settled or time is up. */
    public boolean watch(Duration timeout) throws SQLException, InterruptedException {
        Map<UUID, String> shown = new LinkedHashMap<>();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            boolean settled = true;
            for (Map.Entry<UUID, String> event : events.entrySet()) {
                String state = state(event.getKey());
                if (!state.equals(shown.get(event.getKey()))) {
                    shown.put(event.getKey(), state);
                    out.printf("%s  %-36s %s%n", LocalTime.now().truncatedTo(ChronoUnit.SECONDS), event.getValue(), state);
                }
                settled &= !state.startsWith("pending") && !state.contains("pending") && !state.contains("retrying");
            }
            if (settled) {
                return true;
            }
            Thread.sleep(250);
        }
        return false;
    }

    private String state(UUID event) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(FLOW)) {
            ps.setObject(1, event);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                String deliveries = rs.getString(2);
                return rs.getString(1) + (deliveries.isEmpty() ? "" : " -> " + deliveries);
            }
        }
    }

    /** Puts the relay's gates back as they were before the demo (audited) and stops the target. */
    @Override
    public void close() throws SQLException {
        target.close();
        GateService gates = new GateService(dataSource);
        for (Map.Entry<Gate, String> gate : gatesBefore.entrySet()) {
            gates.set(gate.getKey(), gate.getValue() == null ? (gate.getKey().isList() ? "" : "false") : gate.getValue(),
                    ACTOR, "demo run finished: back as before");
        }
        if (!gatesBefore.isEmpty()) {
            out.println("gates delivery_enabled and delivery_live_routes are back as they were");
        }
    }
}
