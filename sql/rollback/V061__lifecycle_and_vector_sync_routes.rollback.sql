SELECT set_config('iu_core_audit.reason', 'V061 rolled back', true);
DELETE FROM iu_sql_event_route WHERE route_key IN ('iu-lifecycle-transition', 'iu-vector-sync-point');
DELETE FROM iu_sql_action WHERE action_name = 'fn_iu_action_lifecycle_transition';
DROP FUNCTION IF EXISTS fn_iu_action_lifecycle_transition(uuid, text, jsonb);
DROP FUNCTION IF EXISTS fn_iu_core_lifecycle_transition(uuid, text, text, text, uuid);
DROP INDEX IF EXISTS iu_lifecycle_log_source_event_uq;
ALTER TABLE iu_lifecycle_log DROP COLUMN IF EXISTS source_event_id;
DELETE FROM event_type_registry WHERE event_type = 'iu.lifecycle.transition_requested';
