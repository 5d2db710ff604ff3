-- iu_command_log newest first, as `iu-core log --json` shows it, optionally one command or actor.
SELECT coalesce(jsonb_agg(to_jsonb(l) ORDER BY l.started_at DESC, l.id DESC), '[]'::jsonb)::text
FROM (
    SELECT id, started_at, finished_at, command_name AS command, actor, db_user, arguments, dry_run, outcome,
           exit_code, duration_ms, row_deltas, message, node
    FROM iu_command_log
    WHERE (:command::text IS NULL OR command_name = :command::text)
      AND (:actor::text IS NULL OR actor = :actor::text)
    ORDER BY started_at DESC, id DESC
    LIMIT :limit
) l
