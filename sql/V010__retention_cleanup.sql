-- Retention (DESIGN §7, issue 4): policy-driven deletes in bounded batches, gated by
-- retention_enabled, every run recorded in iu_core_retention_run.
--
-- How the pieces fit. A single SQL function runs in one transaction, so the batching that keeps
-- transactions short cannot live in one function:
--   fn_iu_core_retention_begin         counts and records one row per target (or the refusal)
--   fn_iu_core_retention_delete_batch  deletes one batch of one target and adds it to its run row
--   fn_iu_core_retention_stop          marks what is still running as interrupted or failed
-- The service and the CLI (RetentionRunner) call begin, then delete_batch repeatedly with
-- autocommit: each batch is its own short transaction, committed together with its count, so a
-- run stopped anywhere leaves rows and run records that agree. fn_iu_core_retention_cleanup
-- runs the same pieces from psql in the caller's one transaction (fine for a modest backlog).
--
-- Deleting an event also deletes its deliveries and their attempts (ON DELETE CASCADE of V004);
-- dead letters keep their event snapshot (delivery links are set NULL). Attempts and dead letters
-- are therefore processed before events, and an event goes only when none of its history is
-- newer than the event policy.

ALTER TABLE iu_core_retention_run
    ADD COLUMN cutoff         timestamptz,
    ADD COLUMN batch_size     integer CHECK (batch_size >= 1),
    ADD COLUMN batches        integer NOT NULL DEFAULT 0 CHECK (batches >= 0),
    ADD COLUMN policy_enabled boolean;

-- The cascades of an event delete look deliveries up by event, and dead letters by replay delivery.
CREATE INDEX iu_route_delivery_event_idx ON iu_route_delivery (event_id);
CREATE INDEX iu_route_dead_letter_replay_delivery_idx ON iu_route_dead_letter (replay_delivery_id)
    WHERE replay_delivery_id IS NOT NULL;
-- An event with a dead letter that is neither replayed nor resolved is still undelivered.
CREATE INDEX iu_route_dead_letter_open_event_idx ON iu_route_dead_letter (event_id)
    WHERE replayed_at IS NULL AND resolved_at IS NULL;

-- What each target may ever delete, except for age: one definition for the count and the delete,
-- and readable from psql. aged_at is the policy's age column; the cutoff applies to it.

-- Processed events: dispatched or dead, no delivery still open, no dead letter still open.
-- last_activity_at is the newest moment of the event's history (its attempts included).
CREATE VIEW iu_core_retention_candidate_event_outbox AS
SELECT e.id,
       e.dispatched_at AS aged_at,
       greatest(e.dispatched_at,
                (SELECT max(a.attempted_at)
                 FROM iu_route_delivery d JOIN iu_route_attempt a ON a.delivery_id = d.id
                 WHERE d.event_id = e.event_id)) AS last_activity_at
FROM event_outbox e
WHERE e.status IN ('dispatched', 'dead')
  AND e.dispatched_at IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM iu_route_delivery d
                  WHERE d.event_id = e.event_id AND d.status IN ('pending', 'retrying'))
  AND NOT EXISTS (SELECT 1 FROM iu_route_dead_letter l
                  WHERE l.event_id = e.event_id AND l.replayed_at IS NULL AND l.resolved_at IS NULL);

-- Attempts of deliveries that are closed (delivered or dead).
CREATE VIEW iu_core_retention_candidate_iu_route_attempt AS
SELECT a.id, a.attempted_at AS aged_at
FROM iu_route_attempt a
WHERE EXISTS (SELECT 1 FROM iu_route_delivery d
              WHERE d.id = a.delivery_id AND d.status IN ('delivered', 'dead'));

-- Dead letters that were replayed or resolved, and neither their delivery nor their replay is open.
CREATE VIEW iu_core_retention_candidate_iu_route_dead_letter AS
SELECT l.id, l.dead_at AS aged_at
FROM iu_route_dead_letter l
WHERE (l.replayed_at IS NOT NULL OR l.resolved_at IS NOT NULL)
  AND NOT EXISTS (SELECT 1 FROM iu_route_delivery d
                  WHERE d.id IN (l.delivery_id, l.replay_delivery_id) AND d.status IN ('pending', 'retrying'));

CREATE VIEW iu_core_retention_candidate_iu_auto_instantiate_event_log AS
SELECT l.id, l.created_at AS aged_at
FROM iu_auto_instantiate_event_log l;

-- The order targets are processed and reported in: attempts and dead letters before the events
-- whose delete would cascade to them, so each target's count and delete agree.
CREATE FUNCTION fn_iu_core_retention_targets() RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY['iu_route_attempt', 'iu_route_dead_letter', 'event_outbox', 'iu_auto_instantiate_event_log']
$$;

-- The age column each target's view applies the cutoff to; a policy naming another is refused.
CREATE FUNCTION fn_iu_core_retention_age_column(p_target text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE p_target
        WHEN 'event_outbox'                  THEN 'dispatched_at'
        WHEN 'iu_route_attempt'              THEN 'attempted_at'
        WHEN 'iu_route_dead_letter'          THEN 'dead_at'
        WHEN 'iu_auto_instantiate_event_log' THEN 'created_at'
    END
$$;

-- One advisory lock serialises deleting runs across sessions and processes: the CLI and the
-- service hold it for a whole run (session level), psql for its transaction.
-- (the key is an arbitrary constant, used for nothing else)
CREATE FUNCTION fn_iu_core_retention_lock_key() RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
    SELECT 4242010001::bigint
$$;

CREATE FUNCTION fn_iu_core_retention_lock() RETURNS boolean
LANGUAGE sql VOLATILE AS $$
    SELECT pg_try_advisory_lock(fn_iu_core_retention_lock_key())
$$;

CREATE FUNCTION fn_iu_core_retention_unlock() RETURNS boolean
LANGUAGE sql VOLATILE AS $$
    SELECT pg_advisory_unlock(fn_iu_core_retention_lock_key())
$$;

-- Rows of one target older than the cutoff that its policy may delete.
CREATE FUNCTION fn_iu_core_retention_count(p_target text, p_cutoff timestamptz) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_count bigint;
BEGIN
    CASE p_target
        WHEN 'event_outbox' THEN
            SELECT count(*) INTO v_count FROM iu_core_retention_candidate_event_outbox c
            WHERE c.aged_at < p_cutoff AND c.last_activity_at < p_cutoff;
        WHEN 'iu_route_attempt' THEN
            SELECT count(*) INTO v_count FROM iu_core_retention_candidate_iu_route_attempt c
            WHERE c.aged_at < p_cutoff;
        WHEN 'iu_route_dead_letter' THEN
            SELECT count(*) INTO v_count FROM iu_core_retention_candidate_iu_route_dead_letter c
            WHERE c.aged_at < p_cutoff;
        WHEN 'iu_auto_instantiate_event_log' THEN
            SELECT count(*) INTO v_count FROM iu_core_retention_candidate_iu_auto_instantiate_event_log c
            WHERE c.aged_at < p_cutoff;
        ELSE
            RAISE EXCEPTION 'unknown retention target "%"', p_target USING ERRCODE = '22023';
    END CASE;
    RETURN v_count;
END
$$;

-- Starts a run: one iu_core_retention_run row per policy, returns the run id. A dry run counts and
-- is complete at once. A deleting run needs gate retention_enabled open and no other deleting run
-- under way, else every row is recorded 'refused' and nothing is deleted. A disabled policy is
-- counted (so a dry run shows what enabling it would delete) and deletes nothing.
CREATE FUNCTION fn_iu_core_retention_begin(p_actor text, p_dry_run boolean) RETURNS uuid
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_run     uuid := gen_random_uuid();
    v_refusal text;
    v_policy  record;
    v_cutoff  timestamptz;
    v_status  text;
    v_message text;
    v_count   bigint;
BEGIN
    IF p_actor IS NULL OR btrim(p_actor) = '' THEN
        RAISE EXCEPTION 'a retention run needs an actor' USING ERRCODE = '22023';
    END IF;
    IF p_dry_run IS NULL THEN
        RAISE EXCEPTION 'dry_run must be true or false, not NULL' USING ERRCODE = '22023';
    END IF;
    IF NOT p_dry_run THEN
        IF NOT fn_iu_core_gate_open('retention_enabled') THEN
            v_refusal := 'gate retention_enabled is closed: nothing was deleted (a dry run shows what would be; '
                      || 'open the gate to apply)';
        ELSIF NOT pg_try_advisory_xact_lock(fn_iu_core_retention_lock_key()) THEN
            v_refusal := 'another retention run is deleting: nothing was deleted by this one (try again when it has finished)';
        ELSE
            -- holding the lock, no other run is alive: rows still 'running' belong to a run that died
            UPDATE iu_core_retention_run r
               SET status = 'interrupted', finished_at = now(),
                   message = 'stopped before it finished; rows_deleted is what it deleted, a later run deletes the rest'
             WHERE r.status = 'running';
        END IF;
    END IF;

    FOR v_policy IN
        SELECT p.target, p.age_column, p.keep_interval, p.batch_size, p.enabled
        FROM iu_core_retention_policy p
        ORDER BY array_position(fn_iu_core_retention_targets(), p.target)
    LOOP
        v_cutoff := now() - v_policy.keep_interval;
        v_count := 0;
        v_message := NULL;
        IF v_policy.age_column IS DISTINCT FROM fn_iu_core_retention_age_column(v_policy.target) THEN
            v_status := 'failed';
            v_message := format('policy age_column %s is not supported for %s: it must be %s',
                                v_policy.age_column, v_policy.target, fn_iu_core_retention_age_column(v_policy.target));
        ELSE
            v_count := fn_iu_core_retention_count(v_policy.target, v_cutoff);
            IF v_refusal IS NOT NULL THEN
                v_status := 'refused';
                v_message := v_refusal;
            ELSIF p_dry_run THEN
                v_status := 'completed';
                v_message := CASE WHEN v_policy.enabled THEN NULL ELSE 'policy disabled: an apply would delete nothing' END;
            ELSIF NOT v_policy.enabled THEN
                v_status := 'completed';
                v_message := 'policy disabled: counted, nothing deleted';
            ELSE
                v_status := 'running';
            END IF;
        END IF;
        INSERT INTO iu_core_retention_run (run_id, target, actor, dry_run, rows_eligible, status, message,
                                           cutoff, batch_size, policy_enabled, finished_at)
        VALUES (v_run, v_policy.target, p_actor, p_dry_run, v_count, v_status, v_message,
                v_cutoff, v_policy.batch_size, v_policy.enabled,
                CASE WHEN v_status = 'running' THEN NULL ELSE now() END);
    END LOOP;
    RETURN v_run;
END
$$;

-- Deletes one batch (at most the run's batch size, oldest first, skipping rows another session
-- holds) of one target of a running run, and adds it to the run row in the same transaction.
-- Returns the rows deleted; 0 means the target is done: completed, or stopped because the gate
-- closed (the run row says which). Call it again on a finished target and it returns 0.
CREATE FUNCTION fn_iu_core_retention_delete_batch(p_run_id uuid, p_target text) RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_run     iu_core_retention_run;
    v_deleted integer;
BEGIN
    SELECT * INTO v_run FROM iu_core_retention_run r
    WHERE r.run_id = p_run_id AND r.target = p_target FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no retention run % with target "%"', p_run_id, p_target USING ERRCODE = '22023';
    END IF;
    IF v_run.status <> 'running' THEN
        RETURN 0;
    END IF;
    IF NOT pg_try_advisory_xact_lock(fn_iu_core_retention_lock_key()) THEN
        RAISE EXCEPTION 'another session holds the retention lock: run % is not this session''s', p_run_id
            USING ERRCODE = '55P03';
    END IF;
    IF NOT fn_iu_core_gate_open('retention_enabled') THEN
        UPDATE iu_core_retention_run r
           SET status = 'interrupted', finished_at = now(),
               message = 'gate retention_enabled was closed during the run: stopped, a later run deletes the rest'
         WHERE r.run_id = p_run_id AND r.status = 'running';
        RETURN 0;
    END IF;

    CASE p_target
        WHEN 'event_outbox' THEN
            DELETE FROM event_outbox t WHERE t.id IN (
                SELECT c.id FROM iu_core_retention_candidate_event_outbox c
                WHERE c.aged_at < v_run.cutoff AND c.last_activity_at < v_run.cutoff
                ORDER BY c.aged_at LIMIT v_run.batch_size FOR UPDATE SKIP LOCKED);
        WHEN 'iu_route_attempt' THEN
            DELETE FROM iu_route_attempt t WHERE t.id IN (
                SELECT c.id FROM iu_core_retention_candidate_iu_route_attempt c
                WHERE c.aged_at < v_run.cutoff
                ORDER BY c.aged_at LIMIT v_run.batch_size FOR UPDATE SKIP LOCKED);
        WHEN 'iu_route_dead_letter' THEN
            DELETE FROM iu_route_dead_letter t WHERE t.id IN (
                SELECT c.id FROM iu_core_retention_candidate_iu_route_dead_letter c
                WHERE c.aged_at < v_run.cutoff
                ORDER BY c.aged_at LIMIT v_run.batch_size FOR UPDATE SKIP LOCKED);
        WHEN 'iu_auto_instantiate_event_log' THEN
            DELETE FROM iu_auto_instantiate_event_log t WHERE t.id IN (
                SELECT c.id FROM iu_core_retention_candidate_iu_auto_instantiate_event_log c
                WHERE c.aged_at < v_run.cutoff
                ORDER BY c.aged_at LIMIT v_run.batch_size FOR UPDATE SKIP LOCKED);
    END CASE;
    GET DIAGNOSTICS v_deleted = ROW_COUNT;

    UPDATE iu_core_retention_run r
       SET rows_deleted = r.rows_deleted + v_deleted,
           batches = r.batches + CASE WHEN v_deleted > 0 THEN 1 ELSE 0 END,
           status = CASE WHEN v_deleted = 0 THEN 'completed' ELSE r.status END,
           finished_at = CASE WHEN v_deleted = 0 THEN now() ELSE r.finished_at END
     WHERE r.id = v_run.id;
    RETURN v_deleted;
END
$$;

-- Ends what is still running of a run: 'interrupted' (stopped on purpose) or 'failed' (an error).
CREATE FUNCTION fn_iu_core_retention_stop(p_run_id uuid, p_status text, p_message text) RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_count integer;
BEGIN
    IF p_status IS NULL OR p_status NOT IN ('interrupted', 'failed') THEN
        RAISE EXCEPTION 'a retention run stops as interrupted or failed, not "%"', p_status USING ERRCODE = '22023';
    END IF;
    UPDATE iu_core_retention_run r
       SET status = p_status, finished_at = now(), message = left(p_message, 2000)
     WHERE r.run_id = p_run_id AND r.status = 'running';
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END
$$;

-- The whole run from SQL (the field report's psql call), in the caller's one transaction:
--   SELECT * FROM fn_iu_core_retention_cleanup('alice', true);   -- dry run
--   SELECT * FROM fn_iu_core_retention_cleanup('alice', false);  -- apply, gate permitting
-- For a large backlog use `iu-core retention --apply`: same functions, one transaction per batch.
CREATE FUNCTION fn_iu_core_retention_cleanup(p_actor text, p_dry_run boolean)
RETURNS TABLE (target text, rows_eligible bigint, rows_deleted bigint, dry_run boolean,
               run_id uuid, status text, message text)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_run    uuid;
    v_target text;
    v_note   text;
BEGIN
    v_run := fn_iu_core_retention_begin(p_actor, p_dry_run);
    FOR v_target IN
        SELECT r.target FROM iu_core_retention_run r
        WHERE r.run_id = v_run AND r.status = 'running'
        ORDER BY array_position(fn_iu_core_retention_targets(), r.target)
    LOOP
        LOOP
            EXIT WHEN fn_iu_core_retention_delete_batch(v_run, v_target) = 0;
        END LOOP;
    END LOOP;
    SELECT r.message INTO v_note FROM iu_core_retention_run r
    WHERE r.run_id = v_run AND r.status IN ('refused', 'interrupted') LIMIT 1;
    IF v_note IS NOT NULL THEN
        RAISE WARNING 'retention run %: %', v_run, v_note;
    END IF;
    RETURN QUERY
        SELECT r.target, r.rows_eligible, r.rows_deleted, r.dry_run, r.run_id, r.status, r.message
        FROM iu_core_retention_run r
        WHERE r.run_id = v_run
        ORDER BY array_position(fn_iu_core_retention_targets(), r.target);
END
$$;
