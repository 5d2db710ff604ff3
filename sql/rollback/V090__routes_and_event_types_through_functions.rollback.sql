-- Routes and event types are then changed as the owner again (psql, audited by the trigger of V026).
-- The log keeps a row per invocation that names its catalog entry; those of these commands go with it.
DELETE FROM iu_command_log WHERE command_name IN
    ('routes add', 'routes set', 'routes enable', 'routes disable', 'event-types register', 'event-types set');
DELETE FROM dot_iu_command_catalog WHERE command_name IN
    ('routes add', 'routes set', 'routes enable', 'routes disable', 'event-types register', 'event-types set');
DROP FUNCTION fn_iu_core_event_type_change(text, text, text, boolean, text, text);
DROP FUNCTION fn_iu_core_event_type_register(text, text, text, boolean, text, text);
DROP FUNCTION fn_iu_core_route_set_enabled(text, boolean, text, text);
DROP FUNCTION fn_iu_core_route_update(text, jsonb, text, text);
DROP FUNCTION fn_iu_core_route_create(text, jsonb, text, text);
DROP FUNCTION fn_iu_core_route_known_type(text);
DROP FUNCTION fn_iu_core_route_columns(jsonb);
DROP FUNCTION fn_iu_core_control_actor(text, text, text);
