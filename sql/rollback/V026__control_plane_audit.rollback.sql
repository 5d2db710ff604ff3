DROP TRIGGER IF EXISTS iu_core_retention_policy_audit_trg ON iu_core_retention_policy;
DROP TRIGGER IF EXISTS event_type_registry_audit_trg ON event_type_registry;
DROP TRIGGER IF EXISTS iu_sql_event_route_audit_trg ON iu_sql_event_route;
DROP TRIGGER IF EXISTS iu_outbound_route_audit_trg ON iu_outbound_route;
DROP FUNCTION IF EXISTS fn_iu_core_control_audit();
GRANT INSERT, UPDATE, DELETE ON iu_outbound_route, iu_sql_event_route, event_type_registry, iu_core_retention_policy
   TO ${runtime_role};
DROP TABLE IF EXISTS iu_core_control_audit;
