-- A delivery keyed by its event's outbox row, not by the event's uuid (issue 10: the cost of a new
-- delivery must not grow with the history kept).
--
-- The unique index of a delivery (V096) led with event_id, a random uuid, so each delivery created, and
-- each delivery ended (a non-HOT update), wrote an entry on a random page of an index as large as the
-- deliveries retention keeps. Once that index outgrew the buffer cache, a batch of 500 new deliveries
-- took 2 - 3 x the time and, after each checkpoint, up to 6 x the WAL (a full page image of each page it
-- touched), where an index that leads with outbox_id (the outbox's bigint key, growing with every
-- event) is written at its right-hand edge whatever its size. With 3,000,000 deliveries kept, the log
-- route's dispatch ran 1.49 x as fast and dispatch + delivery 1.43 x (BENCHMARKS.md, 2026-12-05).
-- An event's outbox row and its event_id are one to one (both unique), so the index keeps every
-- promise of V096: an event x route has one original delivery, a replay is unique per delivery it
-- replays.
-- What read a delivery by its event_id now reads it by outbox_id: the checks of V097 (which now also
-- hold a delivery's outbox_id and event_id to one event), an event's deletion, retention's candidates
-- and its history lock, and the actor rollback.
CREATE UNIQUE INDEX iu_route_delivery_outbox_route_replay_uq
    ON iu_route_delivery (outbox_id, route_key, (coalesce(replay_of, 0)));
DROP INDEX iu_route_delivery_event_route_replay_uq;

-- V097's check, by the outbox's primary key: each delivery's (outbox_id, event_id) is one event's
CREATE OR REPLACE FUNCTION fn_iu_core_delivery_events_held() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_held bigint;
    v_missing uuid;
BEGIN
    SELECT count(*) INTO v_held
      FROM (SELECT 1 FROM event_outbox e WHERE (e.id, e.event_id) IN (SELECT n.outbox_id, n.event_id FROM created n)
               FOR KEY SHARE OF e) h;
    IF v_held < (SELECT count(*) FROM (SELECT DISTINCT n.outbox_id, n.event_id FROM created n) d) THEN
        SELECT n.event_id INTO v_missing FROM created n
         WHERE NOT EXISTS (SELECT 1 FROM event_outbox e WHERE e.id = n.outbox_id AND e.event_id = n.event_id) LIMIT 1;
        RAISE EXCEPTION 'a delivery''s event % is not in event_outbox under its outbox_id', v_missing USING ERRCODE = '23503';
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION fn_iu_core_event_deliveries_deleted() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM iu_route_delivery;
    ELSE
        DELETE FROM iu_route_delivery d WHERE d.outbox_id IN (SELECT g.id FROM gone g);
    END IF;
    RETURN NULL;
END
$$;

-- neither key of an event changes under its deliveries, nor either key of a delivery
CREATE OR REPLACE FUNCTION fn_iu_core_delivery_event_kept() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_TABLE_NAME = 'iu_route_delivery' THEN
        RAISE EXCEPTION 'delivery %: a delivery''s event does not change', OLD.id USING ERRCODE = '23503';
    ELSIF EXISTS (SELECT 1 FROM iu_route_delivery d WHERE d.outbox_id = OLD.id) THEN
        RAISE EXCEPTION 'event % has deliveries: its event_id and id do not change', OLD.event_id USING ERRCODE = '23503';
    END IF;
    RETURN NEW;
END
$$;
DROP TRIGGER event_outbox_event_id_kept_trg ON event_outbox;
DROP TRIGGER iu_route_delivery_event_id_kept_trg ON iu_route_delivery;
CREATE TRIGGER event_outbox_event_id_kept_trg BEFORE UPDATE OF event_id, id ON event_outbox
    FOR EACH ROW WHEN (OLD.event_id IS DISTINCT FROM NEW.event_id OR OLD.id IS DISTINCT FROM NEW.id)
    EXECUTE FUNCTION fn_iu_core_delivery_event_kept();
CREATE TRIGGER iu_route_delivery_event_id_kept_trg BEFORE UPDATE OF event_id, outbox_id ON iu_route_delivery
    FOR EACH ROW WHEN (OLD.event_id IS DISTINCT FROM NEW.event_id OR OLD.outbox_id IS DISTINCT FROM NEW.outbox_id)
    EXECUTE FUNCTION fn_iu_core_delivery_event_kept();

-- retention (V010, V035): an event's deliveries by its outbox row
CREATE OR REPLACE VIEW iu_core_retention_candidate_event_outbox AS
SELECT e.id,
       e.dispatched_at AS aged_at,
       greatest(e.dispatched_at,
                (SELECT max(a.attempted_at)
                 FROM iu_route_delivery d JOIN iu_route_attempt a ON a.delivery_id = d.id
                 WHERE d.outbox_id = e.id)) AS last_activity_at
FROM event_outbox e
WHERE e.status IN ('dispatched', 'dead')
  AND e.dispatched_at IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM iu_route_delivery d
                  WHERE d.outbox_id = e.id AND d.status IN ('pending', 'retrying'))
  AND NOT EXISTS (SELECT 1 FROM iu_route_dead_letter l
                  WHERE l.event_id = e.event_id AND l.replayed_at IS NULL AND l.resolved_at IS NULL);

CREATE OR REPLACE FUNCTION fn_iu_core_retention_history_free(p_outbox_id bigint) RETURNS boolean
LANGUAGE sql VOLATILE AS $$
    WITH deliveries AS (
        SELECT d.id FROM iu_route_delivery d WHERE d.outbox_id = p_outbox_id
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

-- the actor rollback (V060): an event's deliveries by its outbox row
CREATE OR REPLACE FUNCTION fn_iu_core_actor_rollback_events(p_actor text)
RETURNS TABLE (event_id uuid, event_type text, status text, kept boolean, reason text)
LANGUAGE sql STABLE AS $$
    SELECT e.event_id, e.event_type, e.status,
           d.delivered IS NOT NULL OR d.in_flight IS NOT NULL,
           CASE WHEN d.delivered IS NOT NULL OR d.in_flight IS NOT NULL THEN
                    concat_ws('; ', 'delivered to ' || d.delivered, 'in flight on ' || d.in_flight)
                ELSE 'never delivered' || CASE WHEN coalesce(d.deliveries, 0) > 0
                                               THEN format(' (%s deliveries, %s attempts)', d.deliveries, d.attempts)
                                               ELSE '' END
           END
      FROM event_outbox e
      LEFT JOIN LATERAL (
            SELECT string_agg(DISTINCT r.route_key, ', ') FILTER (WHERE r.status = 'delivered') AS delivered,
                   string_agg(DISTINCT r.route_key, ', ')
                       FILTER (WHERE r.status IN ('pending', 'retrying') AND r.locked_until > now()) AS in_flight,
                   count(*) AS deliveries, sum(r.attempts) AS attempts
              FROM iu_route_delivery r WHERE r.outbox_id = e.id) d ON true
     WHERE e.actor = p_actor
     ORDER BY e.id
$$;

CREATE OR REPLACE FUNCTION fn_iu_core_actor_rollback(p_actor text, p_dry_run boolean)
RETURNS TABLE (table_name text, row_count bigint, effect text)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
    v_others     text;
    v_log        bigint;
    v_lineage    bigint;
    v_members    bigint;
    v_colls      bigint;
    v_events     bigint;
    v_kept       bigint;
    v_deliveries bigint;
    v_attempts   bigint;
    v_kept_deliveries bigint;
    v_kept_attempts   bigint;
    v_letters    bigint;
    v_gone       uuid[];
    v_keep       uuid[];
BEGIN
    IF p_actor IS NULL OR btrim(p_actor) = '' THEN
        RAISE EXCEPTION 'a rollback needs the actor whose rows it removes' USING ERRCODE = '22023';
    END IF;
    IF p_dry_run IS NULL THEN
        RAISE EXCEPTION 'dry_run must be true or false, not NULL' USING ERRCODE = '22023';
    END IF;
    IF NOT p_dry_run THEN
        -- hold the actor's collections, events and their deliveries: nobody adds to them meanwhile,
        -- and a try being recorded now commits first, so its 'delivered' is seen below
        PERFORM 1 FROM iu_piece_collection c WHERE c.actor = p_actor FOR UPDATE;
        PERFORM 1 FROM event_outbox e WHERE e.actor = p_actor FOR UPDATE;
        PERFORM 1 FROM iu_route_delivery d JOIN event_outbox e ON e.id = d.outbox_id
         WHERE e.actor = p_actor FOR UPDATE OF d;
    END IF;

    SELECT string_agg(format('%s %s', d.n, d.t), ', ') INTO v_others
      FROM (SELECT 'iu_piece_membership' AS t, count(*) AS n
              FROM iu_piece_membership m JOIN iu_piece_collection c ON c.id = m.collection_id
             WHERE c.actor = p_actor AND m.actor <> p_actor
            UNION ALL
            SELECT 'iu_collection_template_instance_lineage', count(*)
              FROM iu_collection_template_instance_lineage l JOIN iu_piece_collection c ON c.id = l.collection_id
             WHERE c.actor = p_actor AND l.actor <> p_actor
            UNION ALL
            SELECT 'iu_auto_instantiate_event_log', count(*)
              FROM iu_auto_instantiate_event_log g JOIN iu_piece_collection c ON c.id = g.collection_id
             WHERE c.actor = p_actor AND g.actor <> p_actor) d
     WHERE d.n > 0;
    IF v_others IS NOT NULL THEN
        RAISE EXCEPTION 'rollback of actor "%" refused, nothing removed: rows of other actors belong to its collections (%)',
            p_actor, v_others USING ERRCODE = '2BP01',
            HINT = 'roll those actors back first, or remove their rows by hand';
    END IF;

    -- no temporary table: the runtime role has no TEMP (V024); the fates fit in two arrays
    SELECT coalesce(array_agg(f.event_id) FILTER (WHERE NOT f.kept), '{}'),
           coalesce(array_agg(f.event_id) FILTER (WHERE f.kept), '{}')
      INTO v_gone, v_keep
      FROM fn_iu_core_actor_rollback_events(p_actor) f;
    v_events := cardinality(v_gone);
    v_kept := cardinality(v_keep);

    -- a delivery by its event's outbox row (V098)
    SELECT count(*) FILTER (WHERE e.event_id = ANY (v_gone)), count(*) FILTER (WHERE e.event_id = ANY (v_keep))
      INTO v_deliveries, v_kept_deliveries
      FROM event_outbox e JOIN iu_route_delivery d ON d.outbox_id = e.id WHERE e.event_id = ANY (v_gone || v_keep);
    SELECT count(*) FILTER (WHERE e.event_id = ANY (v_gone)), count(*) FILTER (WHERE e.event_id = ANY (v_keep))
      INTO v_attempts, v_kept_attempts
      FROM event_outbox e JOIN iu_route_delivery d ON d.outbox_id = e.id JOIN iu_route_attempt a ON a.delivery_id = d.id
     WHERE e.event_id = ANY (v_gone || v_keep);
    SELECT count(*) INTO v_letters FROM iu_route_dead_letter l WHERE l.event_id = ANY (v_gone);

    IF p_dry_run THEN
        SELECT count(*) INTO v_log FROM iu_auto_instantiate_event_log g WHERE g.actor = p_actor;
        SELECT count(*) INTO v_lineage FROM iu_collection_template_instance_lineage l WHERE l.actor = p_actor;
        SELECT count(*) INTO v_members FROM iu_piece_membership m WHERE m.actor = p_actor;
        SELECT count(*) INTO v_colls FROM iu_piece_collection c WHERE c.actor = p_actor;
    ELSE
        DELETE FROM iu_auto_instantiate_event_log g WHERE g.actor = p_actor;
        GET DIAGNOSTICS v_log = ROW_COUNT;
        DELETE FROM iu_collection_template_instance_lineage l WHERE l.actor = p_actor;
        GET DIAGNOSTICS v_lineage = ROW_COUNT;
        DELETE FROM iu_piece_membership m WHERE m.actor = p_actor;
        GET DIAGNOSTICS v_members = ROW_COUNT;
        DELETE FROM iu_piece_collection c WHERE c.actor = p_actor;
        GET DIAGNOSTICS v_colls = ROW_COUNT;
        DELETE FROM event_outbox e WHERE e.event_id = ANY (v_gone);
        GET DIAGNOSTICS v_events = ROW_COUNT;
    END IF;

    RETURN QUERY VALUES
        ('iu_auto_instantiate_event_log'::text, v_log, 'deleted'::text),
        ('iu_collection_template_instance_lineage', v_lineage, 'deleted'),
        ('iu_piece_membership', v_members, 'deleted'),
        ('iu_piece_collection', v_colls, 'deleted'),
        ('event_outbox', v_events, 'deleted: never delivered'),
        ('iu_route_delivery', v_deliveries, 'deleted with their events'),
        ('iu_route_attempt', v_attempts, 'deleted with their deliveries'),
        ('iu_route_dead_letter', v_letters, 'kept, with the event snapshot; delivery link cleared'),
        ('event_outbox', v_kept, 'kept: delivered or in flight'),
        ('iu_route_delivery', v_kept_deliveries, 'kept with their events'),
        ('iu_route_attempt', v_kept_attempts, 'kept with their deliveries');
END
$$;
