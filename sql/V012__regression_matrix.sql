-- The before/after regression matrix (DESIGN §8, `iu-core matrix snapshot|diff`): row counts of
-- the watched tables and the gate states, recorded under a unique label so a batch's effect can be
-- diffed against expectations later, also by another process or another day.

CREATE TABLE iu_core_matrix_snapshot (
    id       bigserial   PRIMARY KEY,
    -- labels name snapshots on the command line and in file names of evidence: no blanks, no slashes
    label    text        NOT NULL UNIQUE CHECK (label ~ '^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$'),
    actor    text        NOT NULL,
    node     text        NOT NULL,
    taken_at timestamptz NOT NULL DEFAULT now()
);

-- One row per surface: a table's row count, or a gate's state (1 open, 0 closed).
CREATE TABLE iu_core_matrix_count (
    snapshot_id bigint NOT NULL REFERENCES iu_core_matrix_snapshot (id) ON DELETE CASCADE,
    surface     text   NOT NULL,
    row_count   bigint NOT NULL CHECK (row_count >= 0),
    PRIMARY KEY (snapshot_id, surface)
);

-- Snapshots are evidence: the runtime role adds them and never rewrites or removes one.
REVOKE UPDATE, DELETE ON iu_core_matrix_snapshot, iu_core_matrix_count FROM ${runtime_role};
