DROP TABLE IF EXISTS iu_command_log;
DROP TABLE IF EXISTS dot_iu_command_catalog;
