-- The log keeps a row per invocation that names its catalog entry; those of `dead-letters resolve` go with it.
DELETE FROM iu_command_log WHERE command_name = 'dead-letters resolve';
DELETE FROM dot_iu_command_catalog WHERE command_name = 'dead-letters resolve';
ALTER TABLE iu_route_dead_letter DROP COLUMN resolution_reason;
