-- Write gates (DESIGN §5): every gate closed by default and fail-closed. One function answers
-- "is gate X open" for Java and SQL alike; a transaction may open a gate for itself only with
-- set_config('iu_core.<gate>', 'true', true); every persistent change lands in the audit table.

CREATE TABLE iu_core_gate (
    gate_name   text        PRIMARY KEY CHECK (gate_name ~ '^[a-z][a-z0-9_]*$'),
    kind        text        NOT NULL DEFAULT 'boolean' CHECK (kind IN ('boolean', 'list')),
    -- nullable on purpose: a NULL (or any value but 'true') reads as closed
    gate_value  text,
    description text        NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text        NOT NULL DEFAULT 'migration'
);

CREATE TABLE iu_core_gate_audit (
    id          bigserial   PRIMARY KEY,
    gate_name   text        NOT NULL,
    old_value   text,
    new_value   text,
    actor       text        NOT NULL,
    reason      text,
    db_user     text        NOT NULL DEFAULT session_user,
    changed_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX iu_core_gate_audit_gate_idx ON iu_core_gate_audit (gate_name, changed_at);

-- The audit trail is append-only for the runtime role: the trigger below writes it.
REVOKE INSERT, UPDATE, DELETE ON iu_core_gate_audit FROM ${runtime_role};

INSERT INTO iu_core_gate (gate_name, kind, gate_value, description) VALUES
    ('delivery_enabled',           'boolean', 'false', 'The relay dispatches and delivers events at all.'),
    ('delivery_live_routes',       'list',    '',      'Comma list of outbound route keys allowed to deliver live; empty = none.'),
    ('sql_routes_enabled',         'boolean', 'false', 'In-database SQL actions (iu_sql_event_route) may run.'),
    ('composer_enabled',           'boolean', 'false', 'Collections may be composed from templates.'),
    ('auto_instantiate_enabled',   'boolean', 'false', 'Template instances may be auto-instantiated.'),
    ('scaleout_enabled',           'boolean', 'false', 'Bulk scaleout batches may run.'),
    ('retention_enabled',          'boolean', 'false', 'Retention may delete rows (dry-runs are always allowed).'),
    ('dead_letter_replay_enabled', 'boolean', 'false', 'Dead letters may be replayed.'),
    ('envelope_refresh_enabled',   'boolean', 'false', 'Collection envelopes refresh when a lineage row is inserted.'),
    ('vector_sync_enabled',        'boolean', 'false', 'Vector sync points may be written.'),
    ('lifecycle_enabled',          'boolean', 'false', 'Lifecycle transitions of information units may be written.');

-- The effective raw value: this transaction's own override if it set one, else the stored value.
-- NULL for a gate that does not exist, whatever the override says.
CREATE FUNCTION fn_iu_core_gate_value(p_gate text) RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_value text;
    v_local text;
BEGIN
    SELECT g.gate_value INTO v_value FROM iu_core_gate g WHERE g.gate_name = p_gate;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    v_local := current_setting('iu_core.' || p_gate, true);
    IF v_local IS NOT NULL AND v_local <> '' THEN
        RETURN v_local;
    END IF;
    RETURN v_value;
EXCEPTION WHEN OTHERS THEN
    RETURN NULL;
END
$$;

-- The items of a list gate, trimmed, empty items dropped; '{}' when closed or missing.
CREATE FUNCTION fn_iu_core_gate_list(p_gate text) RETURNS text[]
LANGUAGE sql VOLATILE AS $$
    SELECT coalesce(array_agg(btrim(item) ORDER BY ord) FILTER (WHERE btrim(item) <> ''), '{}')
    FROM unnest(string_to_array(fn_iu_core_gate_value(p_gate), ',')) WITH ORDINALITY AS t(item, ord)
$$;

-- Is the gate open? A boolean gate only when its value is exactly 'true' (case and blanks aside),
-- a list gate when it lists something. A missing row, NULL, garbage or any error: closed.
CREATE FUNCTION fn_iu_core_gate_open(p_gate text) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_kind text;
BEGIN
    SELECT g.kind INTO v_kind FROM iu_core_gate g WHERE g.gate_name = p_gate;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    IF v_kind = 'list' THEN
        RETURN cardinality(fn_iu_core_gate_list(p_gate)) > 0;
    END IF;
    RETURN coalesce(lower(btrim(fn_iu_core_gate_value(p_gate))) = 'true', false);
EXCEPTION WHEN OTHERS THEN
    RETURN false;
END
$$;

-- The one way commands change a gate: validates, then updates; the trigger writes the audit row.
CREATE FUNCTION fn_iu_core_gate_set(p_gate text, p_value text, p_actor text, p_reason text)
RETURNS TABLE (gate_name text, old_value text, new_value text)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_kind text;
    v_old  text;
BEGIN
    IF p_actor IS NULL OR btrim(p_actor) = '' THEN
        RAISE EXCEPTION 'a gate change needs an actor' USING ERRCODE = '22023';
    END IF;
    IF p_reason IS NULL OR btrim(p_reason) = '' THEN
        RAISE EXCEPTION 'a gate change needs a reason' USING ERRCODE = '22023';
    END IF;
    SELECT g.kind, g.gate_value INTO v_kind, v_old
    FROM iu_core_gate g WHERE g.gate_name = p_gate FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown gate "%"', p_gate USING ERRCODE = '22023',
            HINT = 'iu-core gates list shows the gates';
    END IF;
    IF v_kind = 'boolean' AND p_value IS DISTINCT FROM 'true' AND p_value IS DISTINCT FROM 'false' THEN
        RAISE EXCEPTION 'gate "%" takes true or false, not "%"', p_gate, p_value USING ERRCODE = '22023';
    END IF;
    PERFORM set_config('iu_core_audit.actor', p_actor, true);
    PERFORM set_config('iu_core_audit.reason', p_reason, true);
    UPDATE iu_core_gate g
       SET gate_value = coalesce(p_value, ''), updated_at = now(), updated_by = p_actor
     WHERE g.gate_name = p_gate;
    RETURN QUERY SELECT p_gate, v_old, coalesce(p_value, '');
END
$$;

-- Every persistent change is audited, also a plain UPDATE from psql: the actor is the one
-- fn_iu_core_gate_set named, or the session user.
CREATE FUNCTION fn_iu_core_gate_audit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_actor  text := coalesce(nullif(current_setting('iu_core_audit.actor', true), ''), session_user);
    v_reason text := nullif(current_setting('iu_core_audit.reason', true), '');
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO iu_core_gate_audit (gate_name, old_value, new_value, actor, reason)
        VALUES (NEW.gate_name, NULL, NEW.gate_value, v_actor, v_reason);
        RETURN NEW;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO iu_core_gate_audit (gate_name, old_value, new_value, actor, reason)
        VALUES (OLD.gate_name, OLD.gate_value, NULL, v_actor, v_reason);
        RETURN OLD;
    END IF;
    IF NEW.gate_value IS DISTINCT FROM OLD.gate_value OR NEW.gate_name <> OLD.gate_name THEN
        INSERT INTO iu_core_gate_audit (gate_name, old_value, new_value, actor, reason)
        VALUES (NEW.gate_name, OLD.gate_value, NEW.gate_value, v_actor, v_reason);
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER iu_core_gate_audit_trg
    AFTER INSERT OR UPDATE OR DELETE ON iu_core_gate
    FOR EACH ROW EXECUTE FUNCTION fn_iu_core_gate_audit();
