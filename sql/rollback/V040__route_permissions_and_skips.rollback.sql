-- Back to V020's route status view (before the permission rule and the skip counts).
DROP VIEW iu_core_route_status;
CREATE VIEW iu_core_route_status AS
WITH RECURSIVE gates AS (
    SELECT fn_iu_core_gate_open('delivery_enabled') AS delivery_open,
           fn_iu_core_gate_list('delivery_live_routes') AS live_routes,
           fn_iu_core_gate_open('sql_routes_enabled') AS sql_open
), open_keys AS (
    -- the distinct route keys of open deliveries: one probe of the per-route claim index per key
    -- (a loose index scan), not a pass over every open delivery
    (SELECT route_key FROM iu_route_delivery WHERE status IN ('pending', 'retrying') ORDER BY route_key LIMIT 1)
    UNION ALL
    SELECT (SELECT d.route_key FROM iu_route_delivery d
             WHERE d.status IN ('pending', 'retrying') AND d.route_key > o.route_key
             ORDER BY d.route_key LIMIT 1)
      FROM open_keys o WHERE o.route_key IS NOT NULL
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
           CASE r.route_kind
               WHEN 'outbound' THEN g.delivery_open AND r.route_key = ANY (g.live_routes)
               WHEN 'sql' THEN g.delivery_open AND g.sql_open
               ELSE false
           END AS live,
           coalesce(c.state, 'closed') AS circuit_state,
           coalesce(c.consecutive_failures, 0) AS consecutive_failures,
           c.next_probe_at
      FROM routes r
     CROSS JOIN gates g
      LEFT JOIN iu_route_circuit c ON c.route_key = r.route_key
)
SELECT a.route_key,
       a.route_kind,
       a.event_type,
       a.target,
       a.enabled,
       a.live,
       CASE
           WHEN a.route_kind = 'removed' THEN 'removed'
           WHEN NOT a.enabled THEN 'disabled'
           WHEN NOT a.live THEN 'gated'
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
         WHERE l.route_key = a.route_key AND l.replayed_at IS NULL AND l.resolved_at IS NULL) AS dead_letters_open
  FROM assessed a;

DROP TABLE iu_route_skip;
DROP FUNCTION fn_iu_core_route_permissions_now();
DROP FUNCTION fn_iu_core_route_permissions(boolean, text[], boolean);
