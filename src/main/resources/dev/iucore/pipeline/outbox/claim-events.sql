-- The dispatcher's claim: the next pending, available events, locked with SKIP LOCKED so concurrent
-- dispatchers take disjoint batches, with their type's registration (lane, enabled) and the producer's
-- traceparent (the batch's span links to it).
-- :delivery_enabled  false: only events settled without delivering (unregistered, disabled, delayed types)
-- :batch_size        at most this many
WITH claimed AS MATERIALIZED (
    SELECT e.id, e.event_id, e.event_type, e.aggregate_id, e.status, e.headers ->> 'traceparent' AS traceparent
      FROM event_outbox e
     WHERE e.status = 'pending'
       AND e.available_at <= now()
       -- a lease an older version of the relay set is still respected until it expires
       AND (e.locked_until IS NULL OR e.locked_until < now())
       -- a per-row test, not a join: a join with the registry was planned as a hash join
       -- of every pending event, sorted, whenever the plan could not see the LIMIT
       AND (CAST(:delivery_enabled AS boolean)
            OR NOT EXISTS (SELECT 1 FROM event_type_registry r
                            WHERE r.event_type = e.event_type AND r.enabled
                              AND r.delivery_lane = 'live'))
     ORDER BY e.available_at, e.id
     LIMIT :batch_size
       FOR UPDATE OF e SKIP LOCKED)
SELECT c.id, c.event_id, c.event_type, c.aggregate_id, c.status, r.delivery_lane, r.enabled, c.traceparent
  FROM claimed c
  LEFT JOIN event_type_registry r ON r.event_type = c.event_type
 ORDER BY c.id
