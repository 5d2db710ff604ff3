-- Routes and event types change through audited functions (issue 13), as gates do (V025): the
-- runtime role still has no DML on iu_outbound_route, iu_sql_event_route or event_type_registry
-- (V026), but may call these, which run as the owner, name the actor and reason for the audit
-- trigger of V026 and write the row. `routes add|set|enable|disable` and `event-types register|set`
-- call them after the relay's own target checks (delivery.TargetRules); the table's constraints and
-- the internal-only trigger of V039 still stand behind them, with their own errors.
-- Errors a caller can act on carry their SQLSTATE: 23505 the key exists, P0002 no such route or
-- type, 23503 an unknown event type for a route, 22023 a missing actor or reason or a field that
-- is not the operator's to set.

CREATE FUNCTION fn_iu_core_control_actor(p_actor text, p_reason text, p_what text) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF p_actor IS NULL OR btrim(p_actor) = '' THEN
        RAISE EXCEPTION '% needs an actor', p_what USING ERRCODE = '22023';
    END IF;
    IF p_reason IS NULL OR btrim(p_reason) = '' THEN
        RAISE EXCEPTION '% needs a reason', p_what USING ERRCODE = '22023';
    END IF;
    PERFORM set_config('iu_core_audit.actor', p_actor, true);
    PERFORM set_config('iu_core_audit.reason', p_reason, true);
END
$$;

-- The columns of iu_outbound_route an operator sets; the key, created_at and updated_at are not.
CREATE FUNCTION fn_iu_core_route_columns(p_fields jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    v_settable CONSTANT text[] := ARRAY['event_type', 'target_uri', 'enabled', 'max_attempts', 'backoff_initial_ms',
        'backoff_factor', 'backoff_max_ms', 'ordered', 'secret_ref', 'connect_timeout_ms', 'read_timeout_ms',
        'circuit_failure_threshold', 'circuit_open_ms', 'rate_limit_per_second', 'description', 'kafka_cluster'];
    v_unknown text;
BEGIN
    IF p_fields IS NULL OR jsonb_typeof(p_fields) <> 'object' THEN
        RAISE EXCEPTION 'route fields must be a JSON object' USING ERRCODE = '22023';
    END IF;
    SELECT string_agg(k, ', ' ORDER BY k) INTO v_unknown
      FROM jsonb_object_keys(p_fields) k WHERE k <> ALL (v_settable);
    IF v_unknown IS NOT NULL THEN
        RAISE EXCEPTION 'not a route field an operator sets: %', v_unknown USING ERRCODE = '22023',
            HINT = 'settable: ' || array_to_string(v_settable, ', ');
    END IF;
    RETURN (SELECT string_agg(quote_ident(k), ', ' ORDER BY k) FROM jsonb_object_keys(p_fields) k);
END
$$;

CREATE FUNCTION fn_iu_core_route_known_type(p_event_type text) RETURNS void
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM event_type_registry WHERE event_type = p_event_type) THEN
        RAISE EXCEPTION 'unknown event type "%": a route carries a registered type', coalesce(p_event_type, 'NULL')
            USING ERRCODE = '23503', HINT = 'GET /api/v1/event-types lists them; `iu-core event-types register` adds one';
    END IF;
END
$$;

-- A new outbound route from the fields given; a field left out takes the column's default.
CREATE FUNCTION fn_iu_core_route_create(p_route_key text, p_fields jsonb, p_actor text, p_reason text)
RETURNS SETOF iu_outbound_route
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_fields  jsonb := jsonb_strip_nulls(p_fields);
    v_columns text  := fn_iu_core_route_columns(v_fields);
BEGIN
    PERFORM fn_iu_core_control_actor(p_actor, p_reason, 'a route change');
    PERFORM fn_iu_core_route_known_type(v_fields ->> 'event_type');
    IF EXISTS (SELECT 1 FROM iu_outbound_route WHERE route_key = p_route_key) THEN
        RAISE EXCEPTION 'route "%" exists', p_route_key USING ERRCODE = '23505',
            HINT = 'change it with `iu-core routes set` (PATCH /api/v1/routes/' || p_route_key || ')';
    END IF;
    -- deliveries, dead letters and the live-routes gate name a route by its key alone
    IF EXISTS (SELECT 1 FROM iu_sql_event_route WHERE route_key = p_route_key) THEN
        RAISE EXCEPTION 'route key "%" is taken by an SQL route', p_route_key USING ERRCODE = '23505';
    END IF;
    RETURN QUERY EXECUTE format(
        'INSERT INTO iu_outbound_route (route_key, %s) SELECT $1, %s FROM jsonb_populate_record(NULL::iu_outbound_route, $2) RETURNING *',
        v_columns, v_columns) USING p_route_key, v_fields;
END
$$;

-- Changes the fields given (a JSON null clears a column that may be empty); the others stay.
CREATE FUNCTION fn_iu_core_route_update(p_route_key text, p_fields jsonb, p_actor text, p_reason text)
RETURNS SETOF iu_outbound_route
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_columns text := fn_iu_core_route_columns(p_fields);
BEGIN
    PERFORM fn_iu_core_control_actor(p_actor, p_reason, 'a route change');
    PERFORM 1 FROM iu_outbound_route WHERE route_key = p_route_key FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no outbound route "%"', p_route_key USING ERRCODE = 'P0002',
            HINT = '`iu-core routes list` shows the routes';
    END IF;
    IF v_columns IS NULL THEN
        RAISE EXCEPTION 'a route change needs at least one field to change' USING ERRCODE = '22023';
    END IF;
    IF p_fields ? 'event_type' THEN
        PERFORM fn_iu_core_route_known_type(p_fields ->> 'event_type');
    END IF;
    RETURN QUERY EXECUTE format(
        'UPDATE iu_outbound_route r SET (%s, updated_at) = (SELECT %s, now() FROM jsonb_populate_record(NULL::iu_outbound_route, $2)) WHERE r.route_key = $1 RETURNING r.*',
        v_columns, v_columns) USING p_route_key, p_fields;
END
$$;

-- Turns an outbound or SQL route on or off (a disabled route gets no new deliveries; open ones wait).
CREATE FUNCTION fn_iu_core_route_set_enabled(p_route_key text, p_enabled boolean, p_actor text, p_reason text)
RETURNS TABLE (route_key text, route_kind text, was_enabled boolean, enabled boolean)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_was boolean;
BEGIN
    PERFORM fn_iu_core_control_actor(p_actor, p_reason, 'a route change');
    IF p_enabled IS NULL THEN
        RAISE EXCEPTION 'enabled must be true or false' USING ERRCODE = '22023';
    END IF;
    SELECT o.enabled INTO v_was FROM iu_outbound_route o WHERE o.route_key = p_route_key FOR UPDATE;
    IF FOUND THEN
        UPDATE iu_outbound_route o SET enabled = p_enabled, updated_at = now()
         WHERE o.route_key = p_route_key AND o.enabled IS DISTINCT FROM p_enabled;
        RETURN QUERY SELECT p_route_key, 'outbound'::text, v_was, p_enabled;
        RETURN;
    END IF;
    SELECT s.enabled INTO v_was FROM iu_sql_event_route s WHERE s.route_key = p_route_key FOR UPDATE;
    IF FOUND THEN
        UPDATE iu_sql_event_route s SET enabled = p_enabled
         WHERE s.route_key = p_route_key AND s.enabled IS DISTINCT FROM p_enabled;
        RETURN QUERY SELECT p_route_key, 'sql'::text, v_was, p_enabled;
        RETURN;
    END IF;
    RAISE EXCEPTION 'no route "%"', p_route_key USING ERRCODE = 'P0002', HINT = '`iu-core routes list` shows the routes';
END
$$;

CREATE FUNCTION fn_iu_core_event_type_register(p_event_type text, p_lane text, p_description text,
                                               p_internal_only boolean, p_actor text, p_reason text)
RETURNS SETOF event_type_registry
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM fn_iu_core_control_actor(p_actor, p_reason, 'an event-type change');
    IF EXISTS (SELECT 1 FROM event_type_registry WHERE event_type = p_event_type) THEN
        RAISE EXCEPTION 'event type "%" is registered', p_event_type USING ERRCODE = '23505',
            HINT = 'change it with `iu-core event-types set`';
    END IF;
    RETURN QUERY INSERT INTO event_type_registry (event_type, delivery_lane, description, internal_only)
        VALUES (p_event_type, p_lane, p_description, coalesce(p_internal_only, false)) RETURNING *;
END
$$;

-- A NULL leaves that column as it is (none of them may be empty).
CREATE FUNCTION fn_iu_core_event_type_change(p_event_type text, p_lane text, p_description text,
                                             p_internal_only boolean, p_actor text, p_reason text)
RETURNS SETOF event_type_registry
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM fn_iu_core_control_actor(p_actor, p_reason, 'an event-type change');
    IF p_lane IS NULL AND p_description IS NULL AND p_internal_only IS NULL THEN
        RAISE EXCEPTION 'an event-type change needs at least one of lane, description, internal_only'
            USING ERRCODE = '22023';
    END IF;
    RETURN QUERY UPDATE event_type_registry r
        SET delivery_lane = coalesce(p_lane, r.delivery_lane),
            description = coalesce(p_description, r.description),
            internal_only = coalesce(p_internal_only, r.internal_only)
      WHERE r.event_type = p_event_type RETURNING r.*;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown event type "%"', p_event_type USING ERRCODE = 'P0002',
            HINT = 'GET /api/v1/event-types lists them; `iu-core event-types register` adds one';
    END IF;
END
$$;

-- Running as the owner, for the runtime role only. The helpers stay the owner's own (the default
-- privileges of V001 gave the runtime role EXECUTE): called from the functions above, they run as
-- the owner already.
DO $$
DECLARE
    v_fn text;
BEGIN
    FOREACH v_fn IN ARRAY ARRAY[
        'fn_iu_core_route_create(text, jsonb, text, text)',
        'fn_iu_core_route_update(text, jsonb, text, text)',
        'fn_iu_core_route_set_enabled(text, boolean, text, text)',
        'fn_iu_core_event_type_register(text, text, text, boolean, text, text)',
        'fn_iu_core_event_type_change(text, text, text, boolean, text, text)']
    LOOP
        EXECUTE format('ALTER FUNCTION %s SECURITY DEFINER', v_fn);
        EXECUTE format('ALTER FUNCTION %s SET search_path = public, pg_temp', v_fn);
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', v_fn);
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO ${runtime_role}', v_fn);
    END LOOP;
    FOREACH v_fn IN ARRAY ARRAY[
        'fn_iu_core_control_actor(text, text, text)',
        'fn_iu_core_route_columns(jsonb)',
        'fn_iu_core_route_known_type(text)']
    LOOP
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC, ${runtime_role}', v_fn);
    END LOOP;
END
$$;

INSERT INTO dot_iu_command_catalog (command_name, mutating, gates_needed, dry_run_supported, description) VALUES
    ('routes add',           true, '{}', true,  'Add an outbound route (webhook, kafka, log), checked as the relay checks targets (audited).'),
    ('routes set',           true, '{}', true,  'Change an outbound route''s target, type, secret reference or policy, checked as on add (audited).'),
    ('routes enable',        true, '{}', false, 'Let a route take new deliveries again (audited).'),
    ('routes disable',       true, '{}', false, 'Stop new deliveries of a route; open ones wait (audited).'),
    ('event-types register', true, '{}', true,  'Register an event type: lane, description, internal-only (audited).'),
    ('event-types set',      true, '{}', true,  'Change an event type''s lane, description or internal-only mark (audited).');
