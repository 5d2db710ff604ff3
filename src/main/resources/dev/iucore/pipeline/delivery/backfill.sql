-- One chunk of a backfill: the route's missing deliveries for the next events (by outbox id) of its
-- type dispatched in the window. Idempotent: an event that has its delivery for the route (the
-- original one, replay_of NULL) is skipped, and the unique index iu_route_delivery_outbox_route_replay_uq
-- turns a race with the dispatcher or a second backfill into nothing (ON CONFLICT DO NOTHING).
-- :event_type, :route_key, :route_kind  the route
-- :since, :until                        the window on dispatched_at, [since, until); until may be NULL
-- :after                                the last outbox id of the previous chunk (0 at first)
-- :chunk                                at most this many events
-- Returns the chunk's last outbox id (NULL when there was none), its size and the deliveries made.
WITH chunk AS (
    SELECT e.id, e.event_id, e.aggregate_id
      FROM event_outbox e
     WHERE e.status = 'dispatched' AND e.event_type = :event_type
       AND e.dispatched_at >= :since AND (CAST(:until AS timestamptz) IS NULL OR e.dispatched_at < :until)
       AND e.id > :after
       AND NOT EXISTS (SELECT 1 FROM iu_route_delivery d
                        WHERE d.outbox_id = e.id AND d.route_key = :route_key AND d.replay_of IS NULL)
     ORDER BY e.id
     LIMIT :chunk
), created AS (
    INSERT INTO iu_route_delivery (event_id, outbox_id, aggregate_id, route_kind, route_key)
    SELECT event_id, id, aggregate_id, :route_kind, :route_key FROM chunk
    ON CONFLICT (outbox_id, route_key, (coalesce(replay_of, 0))) DO NOTHING
    RETURNING 1
)
SELECT (SELECT max(id) FROM chunk) AS last_id, (SELECT count(*) FROM chunk) AS events,
       (SELECT count(*) FROM created) AS created
