-- The registry with each type's lane and its boundary verdict (iu_core_event_boundary, no probe).
SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY t.event_type), '[]'::jsonb)::text
FROM (
    SELECT r.event_type, r.delivery_lane, r.enabled, r.internal_only, r.description, r.created_at,
           b.outbound_routes, b.sql_routes, b.l1_registry_internal, b.l2_no_routes, b.routes_gated,
           b.l3_worker_gates_closed, b.layers_holding, b.internal_only_holds
    FROM event_type_registry r
    LEFT JOIN iu_core_event_boundary b ON b.event_type = r.event_type
) t
