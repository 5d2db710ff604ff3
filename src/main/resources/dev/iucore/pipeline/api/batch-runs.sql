-- Batch runs recorded with evidence (iu_core_batch_run), newest first.
SELECT coalesce(jsonb_agg(to_jsonb(r) ORDER BY r.started_at DESC), '[]'::jsonb)::text
FROM (
    SELECT run_id, kind, actor, db_user, dry_run, node, started_at, finished_at, outcome, message,
           matrix_before, matrix_after, rollback_handle, summary
    FROM iu_core_batch_run
    WHERE :kind::text IS NULL OR kind = :kind::text
    ORDER BY started_at DESC
    LIMIT :limit
) r
