-- Back to V013's actor rollback, which deletes every event of the actor, delivered ones included.
DROP FUNCTION IF EXISTS fn_iu_core_actor_rollback_events(text);

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
    v_deliveries bigint;
    v_attempts   bigint;
    v_letters    bigint;
BEGIN
    IF p_actor IS NULL OR btrim(p_actor) = '' THEN
        RAISE EXCEPTION 'a rollback needs the actor whose rows it removes' USING ERRCODE = '22023';
    END IF;
    IF p_dry_run IS NULL THEN
        RAISE EXCEPTION 'dry_run must be true or false, not NULL' USING ERRCODE = '22023';
    END IF;
    IF NOT p_dry_run THEN
        -- hold the actor's collections and events: nobody adds to them, or delivers them, meanwhile
        PERFORM 1 FROM iu_piece_collection c WHERE c.actor = p_actor FOR UPDATE;
        PERFORM 1 FROM event_outbox e WHERE e.actor = p_actor FOR UPDATE;
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

    SELECT count(*) INTO v_deliveries
      FROM iu_route_delivery d JOIN event_outbox e ON e.event_id = d.event_id WHERE e.actor = p_actor;
    SELECT count(*) INTO v_attempts
      FROM iu_route_attempt a JOIN iu_route_delivery d ON d.id = a.delivery_id
      JOIN event_outbox e ON e.event_id = d.event_id WHERE e.actor = p_actor;
    SELECT count(*) INTO v_letters
      FROM iu_route_dead_letter l WHERE l.event_id IN (SELECT e.event_id FROM event_outbox e WHERE e.actor = p_actor);

    IF p_dry_run THEN
        SELECT count(*) INTO v_log FROM iu_auto_instantiate_event_log g WHERE g.actor = p_actor;
        SELECT count(*) INTO v_lineage FROM iu_collection_template_instance_lineage l WHERE l.actor = p_actor;
        SELECT count(*) INTO v_members FROM iu_piece_membership m WHERE m.actor = p_actor;
        SELECT count(*) INTO v_colls FROM iu_piece_collection c WHERE c.actor = p_actor;
        SELECT count(*) INTO v_events FROM event_outbox e WHERE e.actor = p_actor;
    ELSE
        DELETE FROM iu_auto_instantiate_event_log g WHERE g.actor = p_actor;
        GET DIAGNOSTICS v_log = ROW_COUNT;
        DELETE FROM iu_collection_template_instance_lineage l WHERE l.actor = p_actor;
        GET DIAGNOSTICS v_lineage = ROW_COUNT;
        DELETE FROM iu_piece_membership m WHERE m.actor = p_actor;
        GET DIAGNOSTICS v_members = ROW_COUNT;
        DELETE FROM iu_piece_collection c WHERE c.actor = p_actor;
        GET DIAGNOSTICS v_colls = ROW_COUNT;
        DELETE FROM event_outbox e WHERE e.actor = p_actor;
        GET DIAGNOSTICS v_events = ROW_COUNT;
    END IF;

    RETURN QUERY VALUES
        ('iu_auto_instantiate_event_log'::text, v_log, 'deleted'::text),
        ('iu_collection_template_instance_lineage', v_lineage, 'deleted'),
        ('iu_piece_membership', v_members, 'deleted'),
        ('iu_piece_collection', v_colls, 'deleted'),
        ('event_outbox', v_events, 'deleted'),
        ('iu_route_delivery', v_deliveries, 'deleted with their events'),
        ('iu_route_attempt', v_attempts, 'deleted with their deliveries'),
        ('iu_route_dead_letter', v_letters, 'kept, with the event snapshot; delivery link cleared');
END
$$;
