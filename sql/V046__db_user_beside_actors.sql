-- Beside the actor a caller claims, the database user that wrote the record (issue 11 item 5), as
-- the command log (V023) and the gate audit (V025) already have it: retention runs, batch runs,
-- matrix snapshots and dead-letter replays. The claimed actor is free text; db_user is
-- session_user, set by a trigger whatever an INSERT or UPDATE says, and never changed afterwards
-- (a replay records who marked the dead letter replayed).

-- who wrote the row; an UPDATE keeps it
CREATE FUNCTION fn_iu_core_record_db_user() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.db_user := session_user;
    ELSE
        NEW.db_user := OLD.db_user;
    END IF;
    RETURN NEW;
END
$$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['iu_core_retention_run', 'iu_core_batch_run', 'iu_core_matrix_snapshot'] LOOP
        EXECUTE format('ALTER TABLE %I ADD COLUMN db_user text', t);
        EXECUTE format('UPDATE %I SET db_user = %L', t, 'unknown (before migration 046)');
        EXECUTE format('ALTER TABLE %I ALTER COLUMN db_user SET NOT NULL', t);
        EXECUTE format('CREATE TRIGGER %I BEFORE INSERT OR UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION fn_iu_core_record_db_user()',
                       t || '_db_user_trg', t);
    END LOOP;
END
$$;

-- who marked a dead letter replayed, beside replayed_by; set when the replay is, kept afterwards
CREATE FUNCTION fn_iu_dead_letter_replayed_db_user() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.replayed_at IS NOT DISTINCT FROM OLD.replayed_at AND NEW.replayed_by IS NOT DISTINCT FROM OLD.replayed_by THEN
            NEW.replayed_db_user := OLD.replayed_db_user;
            RETURN NEW;
        END IF;
    END IF;
    NEW.replayed_db_user := CASE WHEN NEW.replayed_by IS NULL THEN NULL ELSE session_user END;
    RETURN NEW;
END
$$;

ALTER TABLE iu_route_dead_letter ADD COLUMN replayed_db_user text;
UPDATE iu_route_dead_letter SET replayed_db_user = 'unknown (before migration 046)' WHERE replayed_by IS NOT NULL;
ALTER TABLE iu_route_dead_letter ADD CONSTRAINT iu_route_dead_letter_replayed_db_user_ck
    CHECK ((replayed_by IS NULL) = (replayed_db_user IS NULL));
CREATE TRIGGER iu_route_dead_letter_replayed_db_user_trg
    BEFORE INSERT OR UPDATE ON iu_route_dead_letter
    FOR EACH ROW EXECUTE FUNCTION fn_iu_dead_letter_replayed_db_user();
