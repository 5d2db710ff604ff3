-- Matrix snapshots, newest first (labels for a diff).
SELECT coalesce(jsonb_agg(to_jsonb(s) ORDER BY s.taken_at DESC, s.id DESC), '[]'::jsonb)::text
FROM (
    SELECT id, label, actor, db_user, node, taken_at
    FROM iu_core_matrix_snapshot
    ORDER BY taken_at DESC, id DESC
    LIMIT :limit
) s
