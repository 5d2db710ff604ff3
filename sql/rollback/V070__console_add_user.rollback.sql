-- The log keeps a row per invocation that names its catalog entry; those of `console add-user` go with it.
DELETE FROM iu_command_log WHERE command_name = 'console add-user';
DELETE FROM dot_iu_command_catalog WHERE command_name = 'console add-user';
