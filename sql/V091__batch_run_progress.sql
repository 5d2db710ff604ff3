-- Progress of a batch run while it runs (issue 13, "runs with progress"): the console and the API
-- start a run in the background and answer with its id at once, so whoever watches it (any
-- process, any page) reads how far it is from its row: the phase it is in, the phases it has
-- entered in order with when, and in the apply phase the units done of the total (rows deleted,
-- instances composed) and the step under way (the retention target). The run recorder
-- (verify.BatchEvidence) writes them; the runtime role already updates the row.

ALTER TABLE iu_core_batch_run
    ADD COLUMN phase       text        NOT NULL DEFAULT 'done'
        CHECK (phase IN ('backup_before', 'matrix_before', 'apply', 'matrix_after', 'backup_after', 'done')),
    -- [{"phase": "matrix_before", "at": "..."}, ...]
    ADD COLUMN phases      jsonb       NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(phases) = 'array'),
    ADD COLUMN step        text        CHECK (length(step) <= 200),
    ADD COLUMN unit        text        CHECK (length(unit) <= 40),
    ADD COLUMN units_done  bigint      NOT NULL DEFAULT 0 CHECK (units_done >= 0),
    ADD COLUMN units_total bigint      CHECK (units_total >= 0),
    ADD COLUMN progress_at timestamptz;

-- Runs recorded before this migration are finished ('done' above); one still running then is in an unknown phase.
UPDATE iu_core_batch_run SET phase = 'apply' WHERE outcome = 'running';
