DROP VIEW iu_core_boundary_invariant;
DROP VIEW iu_core_event_boundary;
CREATE VIEW iu_core_event_boundary AS
WITH gates AS (
    SELECT fn_iu_core_gate_open('delivery_enabled') AS delivery_open,
           fn_iu_core_gate_list('delivery_live_routes') AS live_routes,
           fn_iu_core_gate_open('sql_routes_enabled') AS sql_open
), layers AS (
    SELECT r.event_type,
           r.delivery_lane,
           r.delivery_lane <> 'live' AS l1_registry_internal,
           (SELECT count(*) FROM iu_outbound_route o WHERE o.event_type = r.event_type) AS outbound_routes,
           (SELECT count(*) FROM iu_sql_event_route s WHERE s.event_type = r.event_type) AS sql_routes,
           NOT g.delivery_open
               OR (NOT EXISTS (SELECT 1 FROM iu_outbound_route o
                                WHERE o.event_type = r.event_type AND o.route_key = ANY (g.live_routes))
                   AND (NOT g.sql_open
                        OR NOT EXISTS (SELECT 1 FROM iu_sql_event_route s WHERE s.event_type = r.event_type)))
               AS l3_gate_blocks
      FROM event_type_registry r
     CROSS JOIN gates g
)
SELECT event_type,
       delivery_lane,
       l1_registry_internal,
       outbound_routes,
       sql_routes,
       outbound_routes + sql_routes = 0 AS l2_no_routes,
       l3_gate_blocks,
       l1_registry_internal AND outbound_routes + sql_routes = 0 AND l3_gate_blocks AS internal_only_holds
  FROM layers;
DROP FUNCTION fn_iu_core_worker_gates_closed();
