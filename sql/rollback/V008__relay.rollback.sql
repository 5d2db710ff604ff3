DELETE FROM iu_sql_action WHERE action_name = 'fn_iu_action_record_vector_sync';
DROP FUNCTION IF EXISTS fn_iu_action_record_vector_sync(uuid, text, jsonb);
DROP INDEX IF EXISTS iu_route_delivery_leased_idx;
DROP INDEX IF EXISTS iu_route_delivery_route_due_idx;
