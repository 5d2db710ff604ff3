-- "Is this route allowed to deliver now" in one place. The dispatcher (which deliveries to
-- create), the delivery claim (which routes to lease from), the route status view, dead-letter
-- replay and deliveries backfill all read it, so the rule cannot drift between them. It takes the gates as
-- arguments because the relay reads them once per batch (one answer for the whole batch);
-- fn_iu_core_route_permissions_now() passes the gates as the calling transaction sees them.
-- blocked_by is NULL when the route may deliver, otherwise what stops it:
--   delivery_closed    gate delivery_enabled is closed (for every route)
--   route_disabled     the route row's enabled flag is off
--   not_live           an outbound route not listed in gate delivery_live_routes
--   sql_routes_closed  an SQL route while gate sql_routes_enabled is closed
CREATE FUNCTION fn_iu_core_route_permissions(p_delivery_open boolean, p_live_routes text[], p_sql_open boolean)
RETURNS TABLE (route_kind text, route_key text, event_type text, blocked_by text)
LANGUAGE sql STABLE AS $$
    SELECT 'outbound'::text, r.route_key, r.event_type,
           CASE WHEN NOT p_delivery_open THEN 'delivery_closed'
                WHEN NOT r.enabled THEN 'route_disabled'
                WHEN NOT coalesce(r.route_key = ANY (p_live_routes), false) THEN 'not_live'
           END
      FROM iu_outbound_route r
    UNION ALL
    SELECT 'sql'::text, s.route_key, s.event_type,
           CASE WHEN NOT p_delivery_open THEN 'delivery_closed'
                WHEN NOT s.enabled THEN 'route_disabled'
                WHEN NOT p_sql_open THEN 'sql_routes_closed'
           END
      FROM iu_sql_event_route s
$$;

CREATE FUNCTION fn_iu_core_route_permissions_now()
RETURNS TABLE (route_kind text, route_key text, event_type text, blocked_by text)
LANGUAGE sql STABLE AS $$
    SELECT * FROM fn_iu_core_route_permissions(fn_iu_core_gate_open('delivery_enabled'),
                                               fn_iu_core_gate_list('delivery_live_routes'),
                                               fn_iu_core_gate_open('sql_routes_enabled'))
$$;

-- Nothing skipped silently: an event dispatched while one of its type's routes was blocked gets no
-- delivery for that route; each such skip is counted here, per route and reason, by the same
-- statement that dispatches the event (`routes list`, metric iu_deliveries_skipped_total), and
-- `deliveries backfill` can create what was skipped later.
CREATE TABLE iu_route_skip (
    route_key        text        NOT NULL,
    reason           text        NOT NULL CHECK (reason IN ('delivery_closed', 'route_disabled', 'not_live',
                                                            'sql_routes_closed')),
    events_skipped   bigint      NOT NULL CHECK (events_skipped > 0),
    first_skipped_at timestamptz NOT NULL DEFAULT now(),
    last_skipped_at  timestamptz NOT NULL DEFAULT now(),
    last_event_id    uuid        NOT NULL,
    PRIMARY KEY (route_key, reason)
);

-- The route status view (V020) now asks the rule above, and shows what each route skipped.
DROP VIEW iu_core_route_status;
CREATE VIEW iu_core_route_status AS
WITH RECURSIVE open_keys AS (
    -- the distinct route keys of open deliveries: one probe of the per-route claim index per key
    -- (a loose index scan), not a pass over every open delivery
    (SELECT route_key FROM iu_route_delivery WHERE status IN ('pending', 'retrying') ORDER BY route_key LIMIT 1)
    UNION ALL
    SELECT (SELECT d.route_key FROM iu_route_delivery d
             WHERE d.status IN ('pending', 'retrying') AND d.route_key > o.route_key
             ORDER BY d.route_key LIMIT 1)
      FROM open_keys o WHERE o.route_key IS NOT NULL
), permissions AS (
    SELECT * FROM fn_iu_core_route_permissions_now()
), routes AS (
    SELECT route_key, 'outbound'::text AS route_kind, event_type, target_uri AS target, enabled, ordered,
           max_attempts, rate_limit_per_second, circuit_failure_threshold
      FROM iu_outbound_route
    UNION ALL
    SELECT route_key, 'sql', event_type, action, enabled, false, max_attempts, NULL, NULL
      FROM iu_sql_event_route
    UNION ALL
    SELECT k.route_key, 'removed', NULL::text, NULL::text, false, false, NULL::integer, NULL::numeric,
           NULL::integer
      FROM open_keys k
     WHERE k.route_key IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM iu_outbound_route o WHERE o.route_key = k.route_key)
       AND NOT EXISTS (SELECT 1 FROM iu_sql_event_route s WHERE s.route_key = k.route_key)
), assessed AS (
    SELECT r.*,
           p.blocked_by,
           coalesce(c.state, 'closed') AS circuit_state,
           coalesce(c.consecutive_failures, 0) AS consecutive_failures,
           c.next_probe_at
      FROM routes r
      LEFT JOIN permissions p ON p.route_kind = r.route_kind AND p.route_key = r.route_key
      LEFT JOIN iu_route_circuit c ON c.route_key = r.route_key
)
SELECT a.route_key,
       a.route_kind,
       a.event_type,
       a.target,
       a.enabled,
       -- allowed to deliver now: enabled and allowed by the gates (V020's live left the flag out)
       a.route_kind <> 'removed' AND a.blocked_by IS NULL AS live,
       CASE
           WHEN a.route_kind = 'removed' THEN 'removed'
           WHEN a.blocked_by = 'route_disabled' THEN 'disabled'
           WHEN a.blocked_by IS NOT NULL THEN 'gated'
           WHEN a.circuit_state = 'open' AND a.next_probe_at > now() THEN 'paused'
           WHEN a.circuit_state IN ('open', 'half_open') THEN 'probing'
           ELSE 'delivering'
       END AS state,
       a.ordered,
       a.max_attempts,
       a.rate_limit_per_second,
       a.circuit_state,
       a.consecutive_failures,
       a.circuit_failure_threshold,
       a.next_probe_at,
       (SELECT count(*) FROM iu_route_delivery d
         WHERE d.route_key = a.route_key AND d.status = 'pending') AS deliveries_pending,
       (SELECT count(*) FROM iu_route_delivery d
         WHERE d.route_key = a.route_key AND d.status = 'retrying') AS deliveries_retrying,
       (SELECT count(*) FROM iu_route_dead_letter l
         WHERE l.route_key = a.route_key AND l.replayed_at IS NULL AND l.resolved_at IS NULL) AS dead_letters_open,
       a.blocked_by,
       coalesce((SELECT sum(k.events_skipped) FROM iu_route_skip k WHERE k.route_key = a.route_key), 0)::bigint
           AS events_skipped,
       (SELECT k.reason FROM iu_route_skip k WHERE k.route_key = a.route_key
         ORDER BY k.last_skipped_at DESC LIMIT 1) AS last_skip_reason,
       (SELECT max(k.last_skipped_at) FROM iu_route_skip k WHERE k.route_key = a.route_key) AS last_skipped_at
  FROM assessed a;
