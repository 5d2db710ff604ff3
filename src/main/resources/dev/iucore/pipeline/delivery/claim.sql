-- The delivery claim: leases due deliveries route by route, in one statement.
-- :lease_ms           the lease floor (a route's lease is at least its longest try + 5 s: V095)
-- :kafka_try_ms       how long a Kafka try may wait for its broker (KafkaProducers.sendBound)
-- :route_concurrency  a route's in-flight bound in this process, unless :busy_limits says otherwise
-- :busy_routes, :busy_counts, :busy_limits  per route, what this process has in flight and its bound
--                    now (RouteWindows: widened while the route is quick, halved when it struggles)
-- :limit              at most this many in all
-- :byte_budget        and at most this many bytes of payload (as stored), the first delivery aside
-- :node               this process, the lease holder
--
-- Beside each task: whether its route is ordered, and whether due deliveries were left for the limit
-- or the byte budget; with the routes whose slots are full, they tell a finished try whether to wake
-- the claimer (DeliveryClaimer.release).
--
-- Its cost must not grow with the backlog. So nothing here counts or scans a route's open
-- deliveries: the in-flight bound is this process's own count (passed in), and each route's due
-- deliveries are read from the head of its own index (route_key, next_attempt_at, id) up to its free
-- slots. The lease columns are in no index and a delivery's page keeps room for its lease, so a
-- claim is a HOT update that adds no index entry at the head of that index, where a delivered row
-- leaves only its one dead entry (V027, V094).
WITH RECURSIVE gates AS (
    SELECT fn_iu_core_gate_open('delivery_enabled') AS delivery_open,
           fn_iu_core_gate_list('delivery_live_routes') AS live_routes,
           fn_iu_core_gate_open('sql_routes_enabled') AS sql_open
), sql_open_keys AS (
    -- the distinct route keys of open SQL deliveries, one probe of their own small index per key (a
    -- loose index scan), so an SQL route deleted with deliveries open is claimed and dead-lettered
    -- route_removed instead of waiting unseen; an outbound one is found through the live list
    (SELECT route_key FROM iu_route_delivery
      WHERE route_kind = 'sql' AND status IN ('pending', 'retrying')
      ORDER BY route_key LIMIT 1)
    UNION ALL
    SELECT (SELECT d.route_key FROM iu_route_delivery d
             WHERE d.route_kind = 'sql' AND d.status IN ('pending', 'retrying')
               AND d.route_key > o.route_key
             ORDER BY d.route_key LIMIT 1)
      FROM sql_open_keys o WHERE o.route_key IS NOT NULL
), route_keys AS (
    -- the routes the relay's one rule allows now (fn_iu_core_route_permissions, V040) ...
    SELECT p.route_key, p.route_kind
      FROM gates g CROSS JOIN LATERAL fn_iu_core_route_permissions(g.delivery_open, g.live_routes, g.sql_open) p
     WHERE p.blocked_by IS NULL
    UNION
    -- ... and, under the same gates, removed routes with deliveries open, to dead-letter them
    -- route_removed: an outbound one still listed, an SQL one found among the open keys
    SELECT k.route_key, 'outbound'
      FROM gates g CROSS JOIN unnest(g.live_routes) AS k(route_key)
     WHERE g.delivery_open
       AND NOT EXISTS (SELECT 1 FROM iu_outbound_route r WHERE r.route_key = k.route_key)
    UNION
    SELECT o.route_key, 'sql'
      FROM sql_open_keys o CROSS JOIN gates g
     WHERE g.delivery_open AND g.sql_open AND o.route_key IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM iu_sql_event_route s WHERE s.route_key = o.route_key)
), busy AS (
    SELECT b.route_key, b.in_flight, b.route_limit
      FROM unnest(CAST(:busy_routes AS text[]), CAST(:busy_counts AS int[]), CAST(:busy_limits AS int[]))
           AS b(route_key, in_flight, route_limit)
), slots AS (
    -- with what a task carries of its route (its longest try among it, as the dispatcher's lease reads
    -- it too: V095), read once per route, not once per claimed delivery
    SELECT k.route_key, k.route_kind, coalesce(r.ordered, false) AS ordered, policy AS route,
           CASE
               WHEN c.state = 'open' AND c.next_probe_at > now() THEN 0
               WHEN c.state = 'open' THEN 1
               ELSE coalesce(b.route_limit, CAST(:route_concurrency AS int))
           END - coalesce(b.in_flight, 0) AS free,
           -- a rate limit allows ceil(rate) tries per rolling second: those recorded, and ours in flight
           CASE WHEN r.rate_limit_per_second IS NULL THEN NULL
                ELSE ceil(r.rate_limit_per_second)::int - coalesce(b.in_flight, 0)
                     - (SELECT count(*) FROM iu_route_attempt recent
                          JOIN iu_route_delivery rd ON rd.id = recent.delivery_id
                         WHERE rd.route_key = k.route_key AND recent.attempted_at > now() - interval '1 second')
           END AS rate_free
      FROM route_keys k
      LEFT JOIN busy b ON b.route_key = k.route_key
      LEFT JOIN iu_outbound_route r ON k.route_kind = 'outbound' AND r.route_key = k.route_key
      LEFT JOIN iu_route_circuit c ON c.route_key = k.route_key
     CROSS JOIN LATERAL fn_iu_core_delivery_route(k.route_kind, k.route_key, CAST(:lease_ms AS bigint),
                                                  CAST(:kafka_try_ms AS bigint)) policy
), due AS (
    SELECT d.id, d.outbox_id, d.next_attempt_at
      FROM slots
     CROSS JOIN LATERAL (
           SELECT d.id, d.outbox_id, d.next_attempt_at
             FROM iu_route_delivery d
            WHERE d.route_key = slots.route_key AND d.route_kind = slots.route_kind
              -- open, due and unleased: what DeliveryClaimer.ANY_CLAIMABLE asks before the poll floor
              -- claims; a delivery this takes must meet that question too
              AND d.status IN ('pending', 'retrying')
              AND d.next_attempt_at <= now()
              AND (d.locked_until IS NULL OR d.locked_until <= now())
              -- ordered: the first open delivery of its aggregate. Written as the head of the per-aggregate
              -- index (ORDER BY its columns, LIMIT 1), the one plan without a sort whatever the statistics
              -- say; a NOT EXISTS planned while the tables were empty walked the route's whole due index
              -- for each candidate (16,813 rows read to claim 4 of 3,000; DeliveryClaimerTest). An
              -- ordered route's open deliveries are all in that index, none unordered (V099)
              AND (NOT slots.ordered OR d.outbox_id = (
                       SELECT first_open.outbox_id FROM iu_route_delivery first_open
                        WHERE first_open.route_key = d.route_key AND first_open.aggregate_id = d.aggregate_id
                          AND NOT first_open.unordered AND first_open.status IN ('pending', 'retrying')
                        ORDER BY first_open.route_key, first_open.aggregate_id, first_open.outbox_id
                        LIMIT 1))
            -- route_key first: the order of the per-route index, which the planner then walks from its head
            ORDER BY d.route_key, d.next_attempt_at, d.id
            -- its free slots, and never more than the claim can take (one more tells more_due that some
            -- were left): each row read here is locked until the claim commits, out of other relays' reach
            LIMIT greatest(least(slots.free, coalesce(slots.rate_free, slots.free), CAST(:limit AS int) + 1), 0)
              FOR UPDATE OF d SKIP LOCKED) d
     WHERE slots.free > 0
), chosen AS (
    -- at most :limit, and no more payload than :byte_budget (stored size): the first one always, so an
    -- event under the payload cap is claimed however large; the rest wait for the next claim. The
    -- payload by its event's key alone: with a join, a plan made while the tables were empty walked
    -- both whole indexes for each row (8,092 rows read to claim 4 of 3,000; DeliveryClaimerTest)
    SELECT sized.id FROM (
        SELECT first.id, first.next_attempt_at,
               sum(payload.bytes) OVER (ORDER BY first.next_attempt_at, first.id) - payload.bytes AS before
          FROM (SELECT id, outbox_id, next_attempt_at FROM due ORDER BY next_attempt_at, id LIMIT :limit) first
         CROSS JOIN LATERAL (SELECT pg_column_size(o.payload) AS bytes
                               FROM event_outbox o WHERE o.id = first.outbox_id LIMIT 1) payload) sized
     WHERE sized.before < :byte_budget
), claimed AS (
    -- by an id array, not a join with chosen: the server-side prepared statement soon runs a generic
    -- plan, which cannot see the LIMIT above and joined by a sequential scan of every delivery
    UPDATE iu_route_delivery d
       SET locked_by = :node,
           -- its route's lease, from the route's row in slots (a lookup in chosen for each row grew with
           -- the square of the claim)
           locked_until = now() + (SELECT (s.route).lease_ms FROM slots s
                                    WHERE s.route_key = d.route_key AND s.route_kind = d.route_kind)
                                  * interval '1 millisecond',
           updated_at = now()
     WHERE d.id = ANY (ARRAY(SELECT id FROM chosen))
    RETURNING d.id, d.event_id, d.outbox_id, d.route_kind, d.route_key, d.attempts, d.aggregate_id, d.locked_until
)
SELECT c.id AS delivery_id, c.event_id, e.event_type, c.aggregate_id, e.payload::text AS payload,
       e.headers::text AS headers, c.route_kind, c.route_key, c.attempts, (s.route).*,
       -- what is left of the lease, for a worker to tell whether a try still fits (DeliveryTask)
       fn_iu_core_lease_left_ms(c.locked_until) AS lease_left_ms,
       -- with the route's ordered flag, what tells the claimer when to claim again (DeliveryClaimer.release)
       (SELECT count(*) FROM due) > (SELECT count(*) FROM chosen) AS more_due
  FROM claimed c
  -- one index probe per claimed delivery, whatever the planner thinks of the outbox's size (LIMIT keeps
  -- the lateral from being flattened into a join that may scan the whole outbox)
 CROSS JOIN LATERAL (SELECT o.event_type, o.payload, o.headers FROM event_outbox o WHERE o.id = c.outbox_id LIMIT 1) e
 JOIN slots s ON s.route_key = c.route_key AND s.route_kind = c.route_kind
 ORDER BY c.id
