-- The gate audit trail, newest first: every persistent change with who, why and the database user.
SELECT coalesce(jsonb_agg(to_jsonb(a) ORDER BY a.changed_at DESC, a.id DESC), '[]'::jsonb)::text
FROM (
    SELECT id, gate_name, old_value, new_value, actor, reason, db_user, changed_at
    FROM iu_core_gate_audit
    WHERE :gate::text IS NULL OR gate_name = :gate::text
    ORDER BY changed_at DESC, id DESC
    LIMIT :limit
) a
