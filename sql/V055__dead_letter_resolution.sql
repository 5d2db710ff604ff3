-- Closing a dead letter without replaying it (issue 12 item 7): `iu-core dead-letters resolve` writes
-- resolved_at / resolved_by (there since V004, written by nothing until now) and why, so a dead letter
-- that needs no delivery stops counting as open (health, metrics, retention) and its record stays.
ALTER TABLE iu_route_dead_letter ADD COLUMN resolution_reason text CHECK (length(resolution_reason) <= 2000);

INSERT INTO dot_iu_command_catalog (command_name, mutating, gates_needed, dry_run_supported, description) VALUES
    ('dead-letters resolve', true, '{}', true, 'Close dead letters without replaying them, recording who and why.');
