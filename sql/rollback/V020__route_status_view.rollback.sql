-- The log keeps a row per invocation that names its catalog entry; those of `routes list` go with it.
DELETE FROM iu_command_log WHERE command_name = 'routes list';
DELETE FROM dot_iu_command_catalog WHERE command_name = 'routes list';
DROP VIEW IF EXISTS iu_core_route_status;
