DROP FUNCTION IF EXISTS fn_iu_core_retention_cleanup(text, boolean);
DROP FUNCTION IF EXISTS fn_iu_core_retention_stop(uuid, text, text);
DROP FUNCTION IF EXISTS fn_iu_core_retention_delete_batch(uuid, text);
DROP FUNCTION IF EXISTS fn_iu_core_retention_begin(text, boolean);
DROP FUNCTION IF EXISTS fn_iu_core_retention_count(text, timestamptz);
DROP FUNCTION IF EXISTS fn_iu_core_retention_unlock();
DROP FUNCTION IF EXISTS fn_iu_core_retention_lock();
DROP FUNCTION IF EXISTS fn_iu_core_retention_lock_key();
DROP FUNCTION IF EXISTS fn_iu_core_retention_age_column(text);
DROP FUNCTION IF EXISTS fn_iu_core_retention_targets();
DROP VIEW IF EXISTS iu_core_retention_candidate_iu_auto_instantiate_event_log;
DROP VIEW IF EXISTS iu_core_retention_candidate_iu_route_dead_letter;
DROP VIEW IF EXISTS iu_core_retention_candidate_iu_route_attempt;
DROP VIEW IF EXISTS iu_core_retention_candidate_event_outbox;
DROP INDEX IF EXISTS iu_route_dead_letter_open_event_idx;
DROP INDEX IF EXISTS iu_route_dead_letter_replay_delivery_idx;
DROP INDEX IF EXISTS iu_route_delivery_event_idx;
ALTER TABLE iu_core_retention_run
    DROP COLUMN IF EXISTS policy_enabled,
    DROP COLUMN IF EXISTS batches,
    DROP COLUMN IF EXISTS batch_size,
    DROP COLUMN IF EXISTS cutoff;
