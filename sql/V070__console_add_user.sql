-- `iu-core console add-user` (issue 13): writes a user of the operator API (role, hashed password,
-- hashed tokens) into the 0600 file named by iu.console.users-file. Nothing in the database changes
-- but this log row: no password or token ever reaches it.
INSERT INTO dot_iu_command_catalog (command_name, mutating, gates_needed, dry_run_supported, description) VALUES
    ('console add-user', true, '{}', false, 'Add or replace a user of the operator API (role, hashed password or token).');
