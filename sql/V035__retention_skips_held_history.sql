-- Retention never waits for rows another session holds (the README's promise), also not for the
-- rows an event's delete cascades into. The event itself was skipped when locked (SKIP LOCKED), but
-- deleting it deletes its deliveries and their attempts and unlinks its dead letters: one of those
-- held elsewhere (a relay recording, an operator's open transaction) made the whole run wait.
-- An event now goes only when every row of its history could be locked at once, without waiting;
-- the others stay for a later run.

-- True when every row the delete of outbox event p_outbox_id cascades into is now locked by this
-- transaction; false, at once, when another session holds any of them.
CREATE FUNCTION fn_iu_core_retention_history_free(p_outbox_id bigint) RETURNS boolean
LANGUAGE sql VOLATILE AS $$
    WITH event AS (
        SELECT e.event_id FROM event_outbox e WHERE e.id = p_outbox_id
    ), deliveries AS (
        SELECT d.id FROM iu_route_delivery d WHERE d.event_id = (SELECT event_id FROM event)
    )
    SELECT (SELECT count(*) FROM (SELECT 1 FROM iu_route_delivery d WHERE d.id IN (SELECT id FROM deliveries)
                                   FOR UPDATE SKIP LOCKED) l) = (SELECT count(*) FROM deliveries)
       AND (SELECT count(*) FROM (SELECT 1 FROM iu_route_attempt a WHERE a.delivery_id IN (SELECT id FROM deliveries)
                                   FOR UPDATE SKIP LOCKED) l)
         = (SELECT count(*) FROM iu_route_attempt a WHERE a.delivery_id IN (SELECT id FROM deliveries))
       AND (SELECT count(*) FROM (SELECT 1 FROM iu_route_dead_letter x
                                   WHERE x.delivery_id IN (SELECT id FROM deliveries)
                                      OR x.replay_delivery_id IN (SELECT id FROM deliveries)
                                   FOR UPDATE SKIP LOCKED) l)
         = (SELECT count(*) FROM iu_route_dead_letter x
             WHERE x.delivery_id IN (SELECT id FROM deliveries) OR x.replay_delivery_id IN (SELECT id FROM deliveries))
$$;

CREATE OR REPLACE FUNCTION fn_iu_core_retention_delete_batch(p_run_id uuid, p_target text) RETURNS integer
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
                  AND fn_iu_core_retention_history_free(c.id)
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
