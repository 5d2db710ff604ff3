-- A route's secret_ref may name only a variable with the dedicated prefix IU_WEBHOOK_SECRET_: any
-- other name let a route turn, say, IU_DB_PASSWORD into an HMAC key whose signatures went to its
-- target. A route that names another variable stops the migration with its key, so the operator
-- renames the variable (and the route's secret_ref) first.
DO $$
DECLARE
    v_keys text;
BEGIN
    SELECT string_agg(route_key || ' (' || secret_ref || ')', ', ' ORDER BY route_key) INTO v_keys
      FROM iu_outbound_route WHERE secret_ref !~ '^IU_WEBHOOK_SECRET_[A-Z0-9_]+$';
    IF v_keys IS NOT NULL THEN
        RAISE EXCEPTION 'routes % name a secret_ref without the prefix IU_WEBHOOK_SECRET_: rename the variable, UPDATE the routes, and migrate again', v_keys
            USING ERRCODE = '23514';
    END IF;
END
$$;

ALTER TABLE iu_outbound_route ADD CONSTRAINT iu_outbound_route_secret_ref_prefixed
    CHECK (secret_ref ~ '^IU_WEBHOOK_SECRET_[A-Z0-9_]+$');
