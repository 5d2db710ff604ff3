-- Retention policies (one per target, all disabled until an operator enables them) and the
-- record of every retention run, dry or not (DESIGN §7). The cleanup function lands with the
-- retention issue.

CREATE TABLE iu_core_retention_policy (
    target        text        PRIMARY KEY CHECK (target IN (
                      'event_outbox', 'iu_route_attempt', 'iu_route_dead_letter', 'iu_auto_instantiate_event_log')),
    age_column    text        NOT NULL,
    keep_interval interval    NOT NULL CHECK (keep_interval >= interval '1 hour'),
    batch_size    integer     NOT NULL DEFAULT 5000 CHECK (batch_size BETWEEN 1 AND 100000),
    enabled       boolean     NOT NULL DEFAULT false,
    description   text        NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    updated_by    text        NOT NULL DEFAULT 'migration'
);

INSERT INTO iu_core_retention_policy (target, age_column, keep_interval, batch_size, description) VALUES
    ('event_outbox',                  'dispatched_at', interval '30 days', 5000,
     'Processed outbox events (dispatched or dead) whose deliveries are all closed.'),
    ('iu_route_attempt',              'attempted_at',  interval '30 days', 5000,
     'Attempts of deliveries that are delivered or dead.'),
    ('iu_route_dead_letter',          'dead_at',       interval '90 days', 1000,
     'Dead letters that were replayed or resolved.'),
    ('iu_auto_instantiate_event_log', 'created_at',    interval '90 days', 5000,
     'Auto-instantiate log rows.');

CREATE TABLE iu_core_retention_run (
    id            bigserial   PRIMARY KEY,
    run_id        uuid        NOT NULL,
    target        text        NOT NULL,
    actor         text        NOT NULL,
    dry_run       boolean     NOT NULL,
    rows_eligible bigint      NOT NULL DEFAULT 0 CHECK (rows_eligible >= 0),
    rows_deleted  bigint      NOT NULL DEFAULT 0 CHECK (rows_deleted >= 0),
    status        text        NOT NULL DEFAULT 'running'
                              CHECK (status IN ('running', 'completed', 'refused', 'interrupted', 'failed')),
    message       text,
    started_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz,
    UNIQUE (run_id, target),
    CHECK (NOT dry_run OR rows_deleted = 0)
);
CREATE INDEX iu_core_retention_run_started_idx ON iu_core_retention_run (started_at);
