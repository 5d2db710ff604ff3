-- `iu-core deliveries backfill` (issue 12 item 6): creates the deliveries a route is missing for the
-- events of its type dispatched in a window. Gated like the other recovery that sends old events again
-- (dead-letters replay: dead_letter_replay_enabled), and only while the route is allowed now.
INSERT INTO dot_iu_command_catalog (command_name, mutating, gates_needed, dry_run_supported, description) VALUES
    ('deliveries backfill', true, '{dead_letter_replay_enabled,delivery_enabled,delivery_live_routes,sql_routes_enabled}',
     true, 'Create the deliveries a route is missing for events dispatched in a time window.');
