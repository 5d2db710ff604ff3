-- Batch runs recorded with evidence (iu_core_batch_run), newest first, with how far each is
-- (phase, units done of total); one run by its id.
SELECT coalesce(jsonb_agg(to_jsonb(r) ORDER BY r.started_at DESC), '[]'::jsonb)::text
FROM (
    SELECT run_id, kind, actor, db_user, dry_run, node, started_at, finished_at, outcome, message,
           matrix_before, matrix_after, rollback_handle, summary,
           phase, phases, step, unit, units_done, units_total, progress_at
    FROM iu_core_batch_run
    WHERE (:kind::text IS NULL OR kind = :kind::text)
      AND (:run_id::uuid IS NULL OR run_id = :run_id::uuid)
    ORDER BY started_at DESC
    LIMIT :limit
) r
