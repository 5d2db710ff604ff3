ALTER TABLE iu_core_batch_run
    DROP COLUMN phase,
    DROP COLUMN phases,
    DROP COLUMN step,
    DROP COLUMN unit,
    DROP COLUMN units_done,
    DROP COLUMN units_total,
    DROP COLUMN progress_at;
