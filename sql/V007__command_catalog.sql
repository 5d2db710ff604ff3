-- The governed vocabulary of ops commands and the log of every invocation (DESIGN §8).
-- A test keeps this catalog and the CLI in step: no command in one and not the other.

CREATE TABLE dot_iu_command_catalog (
    command_name      text    PRIMARY KEY CHECK (command_name ~ '^[a-z][a-z-]*( [a-z][a-z-]*)?$'),
    mutating          boolean NOT NULL,
    gates_needed      text[]  NOT NULL DEFAULT '{}',
    dry_run_supported boolean NOT NULL,
    description       text    NOT NULL
);
REVOKE INSERT, UPDATE, DELETE ON dot_iu_command_catalog FROM ${runtime_role};

INSERT INTO dot_iu_command_catalog (command_name, mutating, gates_needed, dry_run_supported, description) VALUES
    ('run',                 true,  '{delivery_enabled,delivery_live_routes,sql_routes_enabled}', false, 'The service: relay, delivery and scheduled batches.'),
    ('migrate',             true,  '{}',                                  true,  'Apply pending migrations, or roll back to a version.'),
    ('gates list',          false, '{}',                                  false, 'Show every gate, its value and whether it is open.'),
    ('gates open',          true,  '{}',                                  false, 'Open a gate (audited).'),
    ('gates close',         true,  '{}',                                  false, 'Close a gate (audited).'),
    ('routes validate',     false, '{}',                                  false, 'Check YAML route files without starting them.'),
    ('retention',           true,  '{retention_enabled}',                 true,  'Run the retention policies once.'),
    ('scaleout',            true,  '{scaleout_enabled,composer_enabled,auto_instantiate_enabled}', true, 'Instantiate N collections from a template mix as one batch.'),
    ('rollback',            true,  '{}',                                  true,  'Remove everything one actor created.'),
    ('dead-letters list',   false, '{}',                                  false, 'List dead letters by filter.'),
    ('dead-letters show',   false, '{}',                                  false, 'Show one dead letter with its attempts.'),
    ('dead-letters replay', true,  '{dead_letter_replay_enabled}',        true,  'Replay dead letters as fresh deliveries.'),
    ('verify boundary',     false, '{}',                                  false, 'Prove an event type is internal only, at three layers and by a rolled-back probe.'),
    ('verify conformance',  false, '{}',                                  false, 'Compare the live schema with the expected manifest.'),
    ('verify health',       false, '{}',                                  false, 'Backlog, stuck leases, retries, dead letters and table health.'),
    ('matrix snapshot',     true,  '{}',                                  false, 'Record row counts of the watched tables under a label.'),
    ('matrix diff',         false, '{}',                                  false, 'Compare two snapshots with expected deltas.'),
    ('backup',              false, '{}',                                  false, 'pg_dump the database with size and SHA-256.'),
    ('backup verify',       false, '{}',                                  false, 'Re-check a backup''s checksum and list its contents.'),
    ('demo load',           true,  '{}',                                  false, 'Load the demo data set (idempotent).'),
    ('demo run',            true,  '{delivery_enabled,delivery_live_routes}', false, 'Run the service with demo routes and show events flowing.'),
    ('evidence',            false, '{}',                                  false, 'Report of one batch run for a change record.'),
    ('log',                 false, '{}',                                  false, 'List recorded command invocations.');

CREATE TABLE iu_command_log (
    id           bigserial   PRIMARY KEY,
    command_name text        NOT NULL REFERENCES dot_iu_command_catalog (command_name),
    actor        text        NOT NULL,
    arguments    jsonb       NOT NULL DEFAULT '[]'::jsonb,
    dry_run      boolean     NOT NULL DEFAULT false,
    outcome      text        NOT NULL CHECK (outcome IN ('running', 'ok', 'failed', 'refused', 'error')),
    exit_code    integer,
    message      text        CHECK (length(message) <= 2000),
    row_deltas   jsonb,
    node         text        NOT NULL,
    started_at   timestamptz NOT NULL,
    finished_at  timestamptz,
    duration_ms  bigint      CHECK (duration_ms >= 0)
);
CREATE INDEX iu_command_log_started_idx ON iu_command_log (started_at);
CREATE INDEX iu_command_log_command_idx ON iu_command_log (command_name, started_at);
