-- The route table for one dispatch batch, in one statement: one delivery per route of each event's
-- type that the rule (fn_iu_core_route_permissions, V040) allows under the batch's gates; each route
-- it does not allow is counted as skipped, per route and reason; every event is then dispatched,
-- also one with no route at all. Returns the skips, for the metrics.
-- :ids            the batch's events to dispatch (event_outbox.id)
-- :delivery_open, :live_routes, :sql_open   the gates as the batch's transaction read them
WITH events AS (
    SELECT e.id, e.event_id, e.event_type, e.aggregate_id FROM event_outbox e WHERE e.id = ANY (CAST(:ids AS bigint[]))
), routes AS (
    SELECT * FROM fn_iu_core_route_permissions(CAST(:delivery_open AS boolean), CAST(:live_routes AS text[]),
                                               CAST(:sql_open AS boolean))
), created AS (
    INSERT INTO iu_route_delivery (event_id, outbox_id, aggregate_id, route_kind, route_key)
    SELECT e.event_id, e.id, e.aggregate_id, r.route_kind, r.route_key
      FROM events e
      JOIN routes r ON r.event_type = e.event_type AND r.blocked_by IS NULL
    ON CONFLICT (event_id, route_key) WHERE replay_of IS NULL DO NOTHING
), skipped AS (
    SELECT r.route_key, r.blocked_by AS reason, count(*) AS events, (array_agg(e.event_id ORDER BY e.id DESC))[1] AS last_event_id
      FROM events e
      JOIN routes r ON r.event_type = e.event_type AND r.blocked_by IS NOT NULL
     GROUP BY r.route_key, r.blocked_by
), counted AS (
    INSERT INTO iu_route_skip AS k (route_key, reason, events_skipped, last_event_id)
    SELECT route_key, reason, events, last_event_id FROM skipped
    ON CONFLICT (route_key, reason) DO UPDATE
       SET events_skipped = k.events_skipped + excluded.events_skipped,
           last_skipped_at = now(), last_event_id = excluded.last_event_id
), dispatched AS (
    UPDATE event_outbox o
       SET status = 'dispatched', dispatched_at = now(), locked_by = NULL, locked_until = NULL
     WHERE o.id = ANY (CAST(:ids AS bigint[]))
)
SELECT route_key, reason, events FROM skipped ORDER BY route_key, reason
