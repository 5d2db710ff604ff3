DROP FUNCTION IF EXISTS fn_iu_command_log_finish(bigint, text, integer, text, jsonb, timestamptz, bigint);
DROP TRIGGER IF EXISTS iu_command_log_db_user_trg ON iu_command_log;
DROP FUNCTION IF EXISTS fn_iu_command_log_db_user();
ALTER TABLE iu_command_log DROP COLUMN IF EXISTS db_user;
GRANT UPDATE, DELETE ON iu_command_log TO ${runtime_role};
