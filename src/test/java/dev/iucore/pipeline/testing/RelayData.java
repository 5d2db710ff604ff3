package dev.iucore.pipeline.testing;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Test data for relay scenarios, written as the owner role the way an operator or a producer would. */
public final class RelayData {

    private final TestDb db;

    public RelayData(TestDb db) {
        this.db = db;
    }

    public RelayData registerType(String eventType, String lane) {
        db.update("INSERT INTO event_type_registry (event_type, delivery_lane, description) VALUES (?, ?, 'test type')",
                eventType, lane);
        return this;
    }

    /** An outbound route with fast test defaults; {@code columns} overrides any column of iu_outbound_route. */
    public RelayData route(String routeKey, String eventType, String target, Map<String, Object> columns) {
        db.update("""
                INSERT INTO iu_outbound_route (route_key, event_type, target_uri, max_attempts, backoff_initial_ms,
                                               backoff_max_ms, connect_timeout_ms, read_timeout_ms)
                VALUES (?, ?, ?, 5, 50, 200, 1000, 2000)""", routeKey, eventType, target);
        if (!columns.isEmpty()) {
            // one statement, so checks across columns (backoff_max_ms >= backoff_initial_ms) see the final row
            java.util.List<String> names = new java.util.ArrayList<>(columns.keySet());
            names.forEach(column -> {
                if (!column.matches("[a-z_]+")) {
                    throw new IllegalArgumentException(column);
                }
            });
            java.util.List<Object> values = new java.util.ArrayList<>();
            names.forEach(column -> values.add(columns.get(column)));
            values.add(routeKey);
            db.update("UPDATE iu_outbound_route SET " + String.join(" = ?, ", names) + " = ? WHERE route_key = ?",
                    values.toArray());
        }
        return this;
    }

    public RelayData route(String routeKey, String eventType, String target) {
        return route(routeKey, eventType, target, Map.of());
    }

    /** delivery_enabled open and exactly these routes live; sql_routes_enabled as given. */
    public RelayData openGates(boolean sqlRoutes, String... liveRoutes) {
        // one statement: a dispatcher between two updates would see delivery open with no live route
        db.update("""
                UPDATE iu_core_gate SET gate_value = CASE gate_name
                    WHEN 'delivery_enabled' THEN 'true'
                    WHEN 'delivery_live_routes' THEN ?
                    ELSE ? END
                 WHERE gate_name IN ('delivery_enabled', 'delivery_live_routes', 'sql_routes_enabled')""",
                String.join(",", liveRoutes), Boolean.toString(sqlRoutes));
        return this;
    }

    /** Every outbound route in the table live, plus any named (a route whose row is gone, say). */
    public RelayData allRoutesLive(boolean sqlRoutes, String... extra) {
        java.util.List<String> live = new java.util.ArrayList<>(java.util.List.of(extra));
        live.addAll(db.query("SELECT route_key FROM iu_outbound_route").stream()
                .map(r -> (String) r.get("route_key")).toList());
        return openGates(sqlRoutes, live.stream().distinct().toArray(String[]::new));
    }

    public RelayData closeGates() {
        db.update("UPDATE iu_core_gate SET gate_value = CASE kind WHEN 'list' THEN '' ELSE 'false' END");
        return this;
    }

    public UUID event(String eventType, String aggregateId, String payloadJson) {
        UUID eventId = UUID.randomUUID();
        db.update("""
                INSERT INTO event_outbox (event_id, event_type, aggregate_type, aggregate_id, payload)
                VALUES (?, ?, 'test', ?, ?::jsonb)""", eventId, eventType, aggregateId, payloadJson);
        return eventId;
    }

    /** Many events in one statement: {@code n} events of one type, aggregates a-0 .. a-(n-1); their outbox ids, in order. */
    public List<Long> events(String eventType, int n) {
        return events(eventType, n, n);
    }

    /** The same, spread over {@code aggregates} aggregates in turn (event i on a-(i mod aggregates)), in id order. */
    public List<Long> events(String eventType, int n, int aggregates) {
        return db.query("""
                INSERT INTO event_outbox (event_type, aggregate_type, aggregate_id, payload)
                SELECT ?, 'test', 'a-' || (i % ?), jsonb_build_object('n', i) FROM generate_series(0, ? - 1) AS i
                RETURNING id""", eventType, aggregates, n)
                .stream().map(row -> ((Number) row.get("id")).longValue()).sorted().toList();
    }

    public String status(UUID eventId) {
        return (String) db.queryValue("SELECT status FROM event_outbox WHERE event_id = ?", eventId);
    }

    public Map<String, Object> delivery(UUID eventId, String routeKey) {
        return db.query("SELECT * FROM iu_route_delivery WHERE event_id = ? AND route_key = ? AND replay_of IS NULL",
                eventId, routeKey).stream().findFirst().orElse(Map.of());
    }

    public String deliveryStatus(UUID eventId, String routeKey) {
        return (String) delivery(eventId, routeKey).get("status");
    }

    public long attempts(UUID eventId, String routeKey) {
        return db.queryLong("""
                SELECT count(*) FROM iu_route_attempt a JOIN iu_route_delivery d ON d.id = a.delivery_id
                 WHERE d.event_id = ? AND d.route_key = ?""", eventId, routeKey);
    }

    /** A route's backoff, order, circuit and rate, in one line: initial factor max ordered threshold open-ms rate. */
    public String tuning(String routeKey) {
        return (String) db.queryValue("""
                SELECT concat_ws(' ', backoff_initial_ms, backoff_factor, backoff_max_ms, ordered::text,
                                 circuit_failure_threshold, circuit_open_ms, rate_limit_per_second)
                  FROM iu_outbound_route WHERE route_key = ?""", routeKey);
    }
}
