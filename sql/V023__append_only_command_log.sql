-- The command log is append-only for the runtime role (DESIGN §11): it deleted rows of
-- iu_command_log and could rewrite any of them. Now it may only add a row; a row still `running`
-- is finished once, by the database user that started it, through fn_iu_command_log_finish. Beside
-- the actor a command claims (--actor), every row records the database user that wrote it.

ALTER TABLE iu_command_log ADD COLUMN db_user text;
UPDATE iu_command_log SET db_user = 'unknown (before migration 023)';
ALTER TABLE iu_command_log ALTER COLUMN db_user SET NOT NULL;

REVOKE UPDATE, DELETE, TRUNCATE ON iu_command_log FROM ${runtime_role};

-- Whatever an INSERT says, db_user is who is connected.
CREATE FUNCTION fn_iu_command_log_db_user() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.db_user := session_user;
    RETURN NEW;
END
$$;

CREATE TRIGGER iu_command_log_db_user_trg
    BEFORE INSERT ON iu_command_log
    FOR EACH ROW EXECUTE FUNCTION fn_iu_command_log_db_user();

-- Finishes a running row: only once, only by its own database user, never back to `running`.
CREATE FUNCTION fn_iu_command_log_finish(p_id bigint, p_outcome text, p_exit_code integer, p_message text,
                                         p_row_deltas jsonb, p_finished_at timestamptz, p_duration_ms bigint)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF p_outcome IS NULL OR p_outcome = 'running' THEN
        RAISE EXCEPTION 'a finished command needs an outcome other than running, not %', coalesce(p_outcome, 'NULL')
            USING ERRCODE = '22023';
    END IF;
    UPDATE iu_command_log l
       SET outcome = p_outcome, exit_code = p_exit_code, message = p_message, row_deltas = p_row_deltas,
           finished_at = p_finished_at, duration_ms = p_duration_ms
     WHERE l.id = p_id AND l.outcome = 'running' AND l.db_user = session_user;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'command log row % is not running, or was not started by database user %', p_id, session_user
            USING ERRCODE = '42501', HINT = 'the command log is append-only: a row is finished once, by whoever began it';
    END IF;
END
$$;
REVOKE EXECUTE ON FUNCTION fn_iu_command_log_finish(bigint, text, integer, text, jsonb, timestamptz, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION fn_iu_command_log_finish(bigint, text, integer, text, jsonb, timestamptz, bigint) TO ${runtime_role};
