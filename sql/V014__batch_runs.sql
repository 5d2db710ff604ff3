-- Evidence of batch runs (issue 4, for `iu-core evidence <run-id>` of issue 5): one row per
-- scaleout or retention run started with --evidence, naming what proves its effect: the matrix
-- snapshots taken before and after, the backups (path, bytes, SHA-256), how to undo it, and a
-- summary of the rows it changed per table.

CREATE TABLE iu_core_batch_run (
    run_id          uuid        PRIMARY KEY,
    kind            text        NOT NULL CHECK (kind IN ('scaleout', 'retention')),
    actor           text        NOT NULL,
    arguments       jsonb       NOT NULL DEFAULT '{}'::jsonb,
    dry_run         boolean     NOT NULL,
    node            text        NOT NULL,
    started_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    outcome         text        NOT NULL DEFAULT 'running' CHECK (outcome IN ('running', 'ok', 'refused', 'failed')),
    message         text        CHECK (length(message) <= 2000),
    matrix_before   text        REFERENCES iu_core_matrix_snapshot (label),
    matrix_after    text        REFERENCES iu_core_matrix_snapshot (label),
    -- {"path": "...", "bytes": 80705792, "sha256": "..."}
    backup_before   jsonb       CHECK (jsonb_typeof(backup_before) = 'object'),
    backup_after    jsonb       CHECK (jsonb_typeof(backup_after) = 'object'),
    -- what undoes the run, e.g. the actor to pass to `iu-core rollback --actor`
    rollback_handle text,
    -- rows changed per table, and what the run itself reported
    summary         jsonb       NOT NULL DEFAULT '{}'::jsonb,
    CHECK ((outcome = 'running') = (finished_at IS NULL))
);
CREATE INDEX iu_core_batch_run_started_idx ON iu_core_batch_run (started_at);

-- Evidence: the runtime role records and finishes runs, and never removes one.
REVOKE DELETE ON iu_core_batch_run FROM ${runtime_role};
