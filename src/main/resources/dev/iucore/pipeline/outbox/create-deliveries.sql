-- The route table for one dispatch batch, in one statement: one delivery per route of each event's
-- type that the rule (fn_iu_core_route_permissions, V040) allows under the batch's gates; each route
-- it does not allow is counted as skipped, per route and reason; every event is then dispatched,
-- also one with no route at all.
-- The deliveries this process's workers can take at once are created leased to it (locked_by,
-- locked_until) and returned as tasks, so they go to the workers when the batch commits instead of
-- waiting for a claim of their own: at most the free slots of their route (as the delivery claim
-- counts them) and :limit in all, within :byte_budget; never on an ordered or rate-limited route, nor
-- one whose circuit is open (the claim decides those). A crash after the commit loses nothing: the
-- lease expires and the claim takes the delivery.
-- :ids            the batch's events to dispatch (event_outbox.id)
-- :delivery_open, :live_routes, :sql_open   the gates as the batch's transaction read them
-- :lease_ms, :kafka_try_ms, :route_concurrency, :busy_routes, :busy_counts, :busy_limits, :byte_budget, :node
--                 as in the delivery claim (claim.sql); :limit  at most this many leased, 0: none
-- Returns one row per skip (skipped_route, reason, events) and one per leased delivery (a task), at
-- least one row, each saying how many new deliveries were left for a claim (left_for_claim).
WITH events AS (
    SELECT e.id, e.event_id, e.event_type, e.aggregate_id, e.payload, e.headers
      FROM event_outbox e WHERE e.id = ANY (CAST(:ids AS bigint[]))
), routes AS (
    -- with whether the route is ordered: a delivery of one that is not stays out of the per-aggregate
    -- order index (V099; the batch holds the route-order lock shared, OrderedDispatch)
    SELECT p.*, NOT coalesce(o.ordered, false) AS unordered
      FROM fn_iu_core_route_permissions(CAST(:delivery_open AS boolean), CAST(:live_routes AS text[]),
                                        CAST(:sql_open AS boolean)) p
      LEFT JOIN iu_outbound_route o ON p.route_kind = 'outbound' AND o.route_key = p.route_key
), busy AS (
    SELECT b.route_key, b.in_flight, b.route_limit
      FROM unnest(CAST(:busy_routes AS text[]), CAST(:busy_counts AS int[]), CAST(:busy_limits AS int[]))
           AS b(route_key, in_flight, route_limit)
), allowed AS (
    SELECT e.id AS outbox_id, e.event_id, e.aggregate_id, r.route_kind, r.route_key, r.unordered,
           row_number() OVER (PARTITION BY r.route_key ORDER BY e.id) AS route_rank,
           row_number() OVER (ORDER BY e.id, r.route_key) AS rank,
           sum(pg_column_size(e.payload)) OVER (ORDER BY e.id, r.route_key) - pg_column_size(e.payload) AS bytes_before
      FROM events e
      JOIN routes r ON r.event_type = e.event_type AND r.blocked_by IS NULL
), slots AS (
    SELECT k.route_key,
           coalesce(b.route_limit, CAST(:route_concurrency AS int)) - coalesce(b.in_flight, 0) AS free,
           -- what a task carries of its route, read once per route (as the delivery claim reads it)
           policy AS route
      FROM (SELECT DISTINCT route_kind, route_key, unordered FROM allowed) k
      LEFT JOIN busy b ON b.route_key = k.route_key
      LEFT JOIN iu_outbound_route o ON k.route_kind = 'outbound' AND o.route_key = k.route_key
      LEFT JOIN iu_route_circuit c ON c.route_key = k.route_key
     CROSS JOIN LATERAL fn_iu_core_delivery_route(k.route_kind, k.route_key, CAST(:lease_ms AS bigint),
                                                  CAST(:kafka_try_ms AS bigint)) policy
     WHERE k.unordered AND o.rate_limit_per_second IS NULL
       AND c.state IS DISTINCT FROM 'open'
), created AS (
    INSERT INTO iu_route_delivery (event_id, outbox_id, aggregate_id, route_kind, route_key, unordered, locked_by, locked_until)
    SELECT a.event_id, a.outbox_id, a.aggregate_id, a.route_kind, a.route_key, a.unordered,
           CASE WHEN s.leased THEN CAST(:node AS text) END,
           CASE WHEN s.leased THEN now() + (sl.route).lease_ms * interval '1 millisecond' END
      FROM allowed a
      -- none for a route the claim decides (ordered, rate-limited, circuit open): nothing leased there
      LEFT JOIN slots sl ON sl.route_key = a.route_key
     CROSS JOIN LATERAL (
           SELECT a.rank <= CAST(:limit AS int) AND (a.rank = 1 OR a.bytes_before < CAST(:byte_budget AS bigint))
                  AND coalesce(a.route_rank <= sl.free, false) AS leased) s
    ON CONFLICT (outbox_id, route_key, (coalesce(replay_of, 0))) DO NOTHING
    RETURNING id, event_id, outbox_id, aggregate_id, route_kind, route_key, locked_by IS NOT NULL AS leased, locked_until
), skipped AS (
    SELECT r.route_key, r.blocked_by AS reason, count(*) AS events, (array_agg(e.event_id ORDER BY e.id DESC))[1] AS last_event_id
      FROM events e
      JOIN routes r ON r.event_type = e.event_type AND r.blocked_by IS NOT NULL
     GROUP BY r.route_key, r.blocked_by
), counted AS (
    INSERT INTO iu_route_skip AS k (route_key, reason, events_skipped, last_event_id)
    -- in key order: batches side by side (iu.relay.dispatchers, other processes) lock the counters in one order, never in a cycle
    SELECT route_key, reason, events, last_event_id FROM skipped ORDER BY route_key, reason
    ON CONFLICT (route_key, reason) DO UPDATE
       SET events_skipped = k.events_skipped + excluded.events_skipped,
           last_skipped_at = now(), last_event_id = excluded.last_event_id
), dispatched AS (
    UPDATE event_outbox o
       SET status = 'dispatched', dispatched_at = now(), locked_by = NULL, locked_until = NULL
     WHERE o.id = ANY (CAST(:ids AS bigint[]))
), tasks AS (
    -- the columns of a claimed delivery (claim.sql), what the task carries of its route as the claim reads it
    SELECT c.id AS delivery_id, c.event_id, e.event_type, c.aggregate_id, e.payload::text AS payload,
           e.headers::text AS headers, c.route_kind, c.route_key, 0 AS attempts, (sl.route).*,
           fn_iu_core_lease_left_ms(c.locked_until) AS lease_left_ms
      FROM created c
      JOIN events e ON e.id = c.outbox_id
      JOIN slots sl ON sl.route_key = c.route_key
     WHERE c.leased
), left_for_claim AS (
    SELECT count(*) FILTER (WHERE NOT c.leased) AS left_for_claim FROM created c
)
-- skips and tasks side by side, never in one row; the count on every row, alone if there is neither
SELECT n.left_for_claim, s.route_key AS skipped_route, s.reason, s.events, t.*
  FROM left_for_claim n
  LEFT JOIN (skipped s FULL JOIN tasks t ON false) ON true
 ORDER BY s.route_key, s.reason, t.delivery_id
