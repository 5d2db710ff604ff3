-- The boundary's three layers, each named for what it is (issue 12 items 3 and 4), and the field
-- report's BOUNDARY_INVARIANT as one row over every internal-only type.
--   L1 registry: the type is registered and its lane is not live;
--   L2 route table: no outbound and no SQL route carries it;
--   L3 worker gates: the field report's absolute reading, delivery_enabled closed and
--      delivery_live_routes empty: nothing at all is delivered, whatever the route table says.
-- routes_gated is what V019 called L3: none of the type's own routes is allowed by the gates now. It
-- follows from L2 for a type without routes, so it is no layer of its own; it says whether a broken
-- L2 would leak right now. internal_only_holds needs L1, L2 and routes_gated: the type itself keeps
-- its events in. L3 is a property of the whole deployment (open it and every routed type delivers),
-- so it is counted in layers_holding (3: all three layers hold, as in the field report) rather than
-- required. Gates are read as the querying session sees them, transaction-local overrides included.
CREATE FUNCTION fn_iu_core_worker_gates_closed() RETURNS boolean
LANGUAGE sql VOLATILE AS $$
    SELECT NOT fn_iu_core_gate_open('delivery_enabled') AND NOT fn_iu_core_gate_open('delivery_live_routes')
$$;

DROP VIEW iu_core_event_boundary;
CREATE VIEW iu_core_event_boundary AS
WITH gates AS (
    SELECT fn_iu_core_worker_gates_closed() AS worker_gates_closed
), layers AS (
    SELECT r.event_type,
           r.delivery_lane,
           r.internal_only,
           r.delivery_lane <> 'live' AS l1_registry_internal,
           (SELECT count(*) FROM iu_outbound_route o WHERE o.event_type = r.event_type) AS outbound_routes,
           (SELECT count(*) FROM iu_sql_event_route s WHERE s.event_type = r.event_type) AS sql_routes,
           -- the relay's own rule (V040): no route of the type may deliver now
           NOT EXISTS (SELECT 1 FROM fn_iu_core_route_permissions_now() p
                        WHERE p.event_type = r.event_type AND p.blocked_by IS NULL) AS routes_gated,
           g.worker_gates_closed AS l3_worker_gates_closed
      FROM event_type_registry r
     CROSS JOIN gates g
)
SELECT event_type,
       delivery_lane,
       internal_only,
       l1_registry_internal,
       outbound_routes,
       sql_routes,
       outbound_routes + sql_routes = 0 AS l2_no_routes,
       routes_gated,
       l3_worker_gates_closed,
       l1_registry_internal::int + (outbound_routes + sql_routes = 0)::int + l3_worker_gates_closed::int
           AS layers_holding,
       l1_registry_internal AND outbound_routes + sql_routes = 0 AND routes_gated AS internal_only_holds
  FROM layers;

-- One row, always: with no internal-only type it holds, internal_types 0 and min_layers_holding NULL.
CREATE VIEW iu_core_boundary_invariant AS
SELECT count(b.event_type) AS internal_types,
       count(b.event_type) FILTER (WHERE b.internal_only_holds) AS types_holding,
       coalesce(array_agg(b.event_type ORDER BY b.event_type) FILTER (WHERE NOT b.internal_only_holds), '{}')
           AS types_failing,
       fn_iu_core_worker_gates_closed() AS l3_worker_gates_closed,
       min(b.layers_holding) AS min_layers_holding,
       coalesce(bool_and(b.internal_only_holds), true) AS internal_only_holds
  FROM (SELECT 1) one
  LEFT JOIN iu_core_event_boundary b ON b.internal_only;
