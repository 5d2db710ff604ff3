package dev.iucore.pipeline.retention;

import dev.iucore.pipeline.testing.TestDb;
import java.util.Map;
import java.util.UUID;

/**
 * Builds retention scenarios in a test database, as the owner role: events, deliveries, attempts,
 * dead letters and auto-instantiate log rows of a given age (in days), and the policy and gate
 * switches. Policies keep 30 days (events, attempts) and 90 days (dead letters, auto log).
 */
public final class RetentionData {

    public static final int OLD = 120;
    public static final int YOUNG = 1;

    private final TestDb db;
    private int routes;

    public RetentionData(TestDb db) {
        this.db = db;
    }

    /** Empty retention targets and run records, every policy disabled, the gate closed. */
    public RetentionData reset() {
        db.update("TRUNCATE event_outbox, iu_route_delivery, iu_route_attempt, iu_route_dead_letter,"
                + " iu_auto_instantiate_event_log, iu_core_retention_run");
        db.update("UPDATE iu_core_retention_policy SET enabled = false, batch_size = DEFAULT");
        closeGate();
        return this;
    }

    public RetentionData enable(String... targets) {
        for (String target : targets) {
            db.update("UPDATE iu_core_retention_policy SET enabled = true WHERE target = ?", target);
        }
        return this;
    }

    public RetentionData enableAll() {
        db.update("UPDATE iu_core_retention_policy SET enabled = true");
        return this;
    }

    public RetentionData batchSize(int rows) {
        db.update("UPDATE iu_core_retention_policy SET batch_size = ?", rows);
        return this;
    }

    public RetentionData openGate() {
        db.update("UPDATE iu_core_gate SET gate_value = 'true' WHERE gate_name = 'retention_enabled'");
        return this;
    }

    public RetentionData closeGate() {
        db.update("UPDATE iu_core_gate SET gate_value = 'false' WHERE gate_name = 'retention_enabled'");
        return this;
    }

    /** An event created long ago, in {@code status}, dispatched {@code daysAgo} (null: never dispatched). */
    public UUID event(String status, Integer daysAgo, String aggregateId) {
        return (UUID) db.queryValue("""
                INSERT INTO event_outbox (event_type, aggregate_type, aggregate_id, status, created_at, dispatched_at)
                VALUES ('iu.collection.created', 'collection', ?, ?, now() - interval '200 days',
                        now() - make_interval(days => ?))
                RETURNING event_id""", aggregateId, status, daysAgo);
    }

    public long delivery(UUID eventId, String status) {
        return db.queryLong("""
                INSERT INTO iu_route_delivery (event_id, outbox_id, aggregate_id, route_kind, route_key, status)
                SELECT e.event_id, e.id, e.aggregate_id, 'outbound', ?, ? FROM event_outbox e WHERE e.event_id = ?
                RETURNING id""", "hook-" + (++routes), status, eventId);
    }

    public long attempt(long deliveryId, int daysAgo) {
        return db.queryLong("""
                INSERT INTO iu_route_attempt (delivery_id, attempt_no, outcome, node, attempted_at)
                VALUES (?, (SELECT count(*) + 1 FROM iu_route_attempt WHERE delivery_id = ?), 'failed', 'test',
                        now() - make_interval(days => ?))
                RETURNING id""", deliveryId, deliveryId, daysAgo);
    }

    /** A dead letter of {@code daysAgo}; {@code closedBy} 'replayed', 'resolved' or null (still open). */
    public long deadLetter(UUID eventId, Long deliveryId, int daysAgo, String closedBy, Long replayDeliveryId) {
        return db.queryLong("""
                INSERT INTO iu_route_dead_letter (delivery_id, event_id, event_type, reason, event_snapshot, dead_at,
                                                  replayed_at, replayed_by, replay_delivery_id, resolved_at, resolved_by)
                VALUES (?, ?, 'iu.collection.created', 'attempts_exhausted', '{}'::jsonb, now() - make_interval(days => ?),
                        CASE WHEN ? = 'replayed' THEN now() END, CASE WHEN ? = 'replayed' THEN 'ops' END, ?,
                        CASE WHEN ? = 'resolved' THEN now() END, CASE WHEN ? = 'resolved' THEN 'ops' END)
                RETURNING id""", deliveryId, eventId, daysAgo, closedBy, closedBy, replayDeliveryId, closedBy, closedBy);
    }

    public long autoLog(int daysAgo) {
        return db.queryLong("""
                INSERT INTO iu_auto_instantiate_event_log (template_id, template_version, idempotency_key, outcome, actor,
                                                           created_at)
                VALUES ('tpl:wf:onboarding', 1, md5(random()::text), 'composed', 'test', now() - make_interval(days => ?))
                RETURNING id""", daysAgo);
    }

    /** Row counts of the four targets. */
    public Map<String, Long> counts() {
        return Map.of(
                "event_outbox", db.count("event_outbox"),
                "iu_route_attempt", db.count("iu_route_attempt"),
                "iu_route_dead_letter", db.count("iu_route_dead_letter"),
                "iu_auto_instantiate_event_log", db.count("iu_auto_instantiate_event_log"));
    }
}
