-- Two gates that guarded nothing now guard a real operation, each reached through a shipped SQL
-- route (issue 12 item 13):
-- * lifecycle_enabled: moving an information unit to another lifecycle state
--   (fn_iu_core_lifecycle_transition) writes the unit, one iu_lifecycle_log row and the event
--   iu.lifecycle.transitioned, in the caller's transaction; closed, it is refused and writes
--   nothing. Asked for by the event iu.lifecycle.transition_requested through the route
--   iu-lifecycle-transition (action fn_iu_action_lifecycle_transition).
-- * vector_sync_enabled: the action fn_iu_action_record_vector_sync (V008) had no route; the event
--   iu.vector.synced now reaches it through the route iu-vector-sync-point.
-- Both run only once delivery_enabled and sql_routes_enabled are open too (all closed by default);
-- with the domain gate closed the action refuses and the relay dead-letters it as action_failed.

SELECT set_config('iu_core_audit.reason', 'V061: lifecycle and vector sync routes', true);

INSERT INTO event_type_registry (event_type, delivery_lane, description) VALUES
    ('iu.lifecycle.transition_requested', 'live',
     'Someone asked to move an information unit to another lifecycle state (gate lifecycle_enabled).');

-- the event a transition came from, so a redelivered request moves nothing a second time
ALTER TABLE iu_lifecycle_log ADD COLUMN source_event_id uuid;
CREATE UNIQUE INDEX iu_lifecycle_log_source_event_uq ON iu_lifecycle_log (source_event_id)
    WHERE source_event_id IS NOT NULL;

-- Moves one information unit to p_to_state; returns the log row's id, or NULL when the unit is
-- already there (nothing written). Refused while gate lifecycle_enabled is closed.
CREATE FUNCTION fn_iu_core_lifecycle_transition(p_iu_id uuid, p_to_state text, p_actor text, p_reason text,
                                                p_source_event_id uuid DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_from text;
    v_log  bigint;
BEGIN
    IF NOT fn_iu_core_gate_open('lifecycle_enabled') THEN
        RAISE EXCEPTION 'gate lifecycle_enabled is closed: information unit % not moved to %', p_iu_id, p_to_state
            USING ERRCODE = 'P0001';
    END IF;
    IF p_actor IS NULL OR btrim(p_actor) = '' THEN
        RAISE EXCEPTION 'a lifecycle transition needs an actor' USING ERRCODE = '22023';
    END IF;
    IF p_to_state IS NULL OR p_to_state NOT IN ('draft', 'active', 'archived') THEN
        RAISE EXCEPTION 'lifecycle state must be draft, active or archived, not %', coalesce(p_to_state, 'none')
            USING ERRCODE = '22023';
    END IF;
    SELECT u.lifecycle_state INTO v_from FROM information_unit u WHERE u.id = p_iu_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no information unit %', p_iu_id USING ERRCODE = '22023';
    END IF;
    IF v_from = p_to_state THEN
        RETURN NULL;
    END IF;
    UPDATE information_unit SET lifecycle_state = p_to_state, updated_at = now() WHERE id = p_iu_id;
    INSERT INTO iu_lifecycle_log (iu_id, from_state, to_state, actor, reason, source_event_id)
    VALUES (p_iu_id, v_from, p_to_state, p_actor, p_reason, p_source_event_id)
    RETURNING id INTO v_log;
    INSERT INTO event_outbox (event_type, aggregate_type, aggregate_id, payload, actor)
    VALUES ('iu.lifecycle.transitioned', 'information_unit', p_iu_id::text,
            jsonb_build_object('iu_id', p_iu_id, 'from_state', v_from, 'to_state', p_to_state, 'reason', p_reason,
                               'source_event_id', p_source_event_id),
            p_actor);
    RETURN v_log;
END
$$;

-- The vetted action. Payload: {"iu_id": uuid, "to_state": text, "reason": text?, "actor": text?};
-- actor defaults to the event's outbox actor. A redelivered event finds its log row and moves nothing.
CREATE FUNCTION fn_iu_action_lifecycle_transition(p_event_id uuid, p_event_type text, p_payload jsonb)
RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_iu    text := p_payload ->> 'iu_id';
    v_to    text := p_payload ->> 'to_state';
    v_actor text := nullif(btrim(p_payload ->> 'actor'), '');
BEGIN
    IF v_iu IS NULL OR v_iu !~* '^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$' OR v_to IS NULL THEN
        RAISE EXCEPTION 'event % (%) needs payload iu_id (a uuid) and to_state, got iu_id %, to_state %',
            p_event_id, p_event_type, coalesce(v_iu, 'none'), coalesce(v_to, 'none') USING ERRCODE = '22023';
    END IF;
    IF EXISTS (SELECT 1 FROM iu_lifecycle_log l WHERE l.source_event_id = p_event_id) THEN
        RETURN;
    END IF;
    IF v_actor IS NULL THEN
        SELECT nullif(btrim(o.actor), '') INTO v_actor FROM event_outbox o WHERE o.event_id = p_event_id;
    END IF;
    PERFORM fn_iu_core_lifecycle_transition(v_iu::uuid, v_to, coalesce(v_actor, 'relay:' || p_event_id),
                                            p_payload ->> 'reason', p_event_id);
END
$$;

INSERT INTO iu_sql_action (action_name, description) VALUES
    ('fn_iu_action_lifecycle_transition',
     'Move an information unit to another lifecycle state (gate lifecycle_enabled).');

INSERT INTO iu_sql_event_route (route_key, event_type, action, description) VALUES
    ('iu-lifecycle-transition', 'iu.lifecycle.transition_requested', 'fn_iu_action_lifecycle_transition',
     'Lifecycle: move the information unit to the requested state.'),
    ('iu-vector-sync-point', 'iu.vector.synced', 'fn_iu_action_record_vector_sync',
     'Vector sync: record the unit''s sync point.');
