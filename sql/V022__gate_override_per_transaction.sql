-- A gate override counts only in the transaction that set it (DESIGN §5, §11). A plain
-- set_config('iu_core.<gate>', 'true', true) and a session-level set_config(..., false) leave the
-- same value behind, and nothing in SQL tells them apart afterwards: a session-level one outlived
-- its transaction, so an ops `sql:` route opened gates for every later borrower of its pooled
-- connection, with no audit row. So an override now carries the transaction it was made in, and
-- the gates read it in that transaction only; a value without it (or of another transaction) is
-- ignored, fail-closed.

-- The current transaction's tag: its id and start time. NULL until the transaction has an id, so
-- a reader never assigns one; the start time makes a later transaction's tag unguessable in advance.
CREATE FUNCTION fn_iu_core_xact_tag() RETURNS text
LANGUAGE sql VOLATILE AS $$
    SELECT pg_current_xact_id_if_assigned()::text || '@' || extract(epoch FROM transaction_timestamp())::text
$$;

-- The in-transaction toggle: opens (or closes) a gate for the calling transaction only. No other
-- session and no later transaction sees it; iu_core_gate and its audit trail do not move.
-- p_value NULL or '' drops this transaction's override. Returns whether the gate now reads open.
CREATE FUNCTION fn_iu_core_gate_override(p_gate text, p_value text) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_kind text;
BEGIN
    SELECT g.kind INTO v_kind FROM iu_core_gate g WHERE g.gate_name = p_gate;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown gate "%"', p_gate USING ERRCODE = '22023',
            HINT = 'iu-core gates list shows the gates';
    END IF;
    IF v_kind = 'boolean' AND coalesce(p_value, '') NOT IN ('', 'true', 'false') THEN
        RAISE EXCEPTION 'gate "%" takes true or false, not "%"', p_gate, p_value USING ERRCODE = '22023';
    END IF;
    -- pg_current_xact_id() assigns the transaction its id, so the readers' tag matches from here on
    PERFORM pg_current_xact_id();
    PERFORM set_config('iu_core.' || p_gate,
                       CASE WHEN coalesce(p_value, '') = '' THEN '' ELSE fn_iu_core_xact_tag() || ':' || p_value END,
                       true);
    RETURN fn_iu_core_gate_open(p_gate);
END
$$;

-- The effective raw value: this transaction's own override if it made one, else the stored value.
-- NULL for a gate that does not exist, whatever the override says.
CREATE OR REPLACE FUNCTION fn_iu_core_gate_value(p_gate text) RETURNS text
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
    IF v_local <> '' AND split_part(v_local, ':', 1) = fn_iu_core_xact_tag() THEN
        RETURN substr(v_local, strpos(v_local, ':') + 1);
    END IF;
    RETURN v_value;
EXCEPTION WHEN OTHERS THEN
    RETURN NULL;
END
$$;

-- As in V013, with the toggle going through fn_iu_core_gate_override.
CREATE OR REPLACE FUNCTION fn_iu_core_scaleout(p_batch_id uuid, p_actor text, p_template_ids text[], p_versions integer[],
                                               p_from integer, p_to integer)
RETURNS TABLE (ordinal integer, template_id text, template_version integer, outcome text, collection_id uuid,
               piece_count integer, digest_matches_template boolean)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
    v_composer text := current_setting('iu_core.composer_enabled', true);
    v_auto     text := current_setting('iu_core.auto_instantiate_enabled', true);
    v_plan     record;
BEGIN
    IF NOT fn_iu_core_gate_open('scaleout_enabled') THEN
        RAISE EXCEPTION 'gate scaleout_enabled is closed: scaleout batch % composed nothing', p_batch_id
            USING HINT = 'open it for the batch: iu-core gates open scaleout_enabled --actor A --reason R';
    END IF;
    IF p_template_ids IS NULL OR cardinality(p_template_ids) = 0
       OR cardinality(p_template_ids) IS DISTINCT FROM cardinality(p_versions) THEN
        RAISE EXCEPTION 'a scaleout batch needs one version per template, and at least one template'
            USING ERRCODE = '22023';
    END IF;
    PERFORM fn_iu_core_gate_override('composer_enabled', 'true');
    PERFORM fn_iu_core_gate_override('auto_instantiate_enabled', 'true');
    FOR v_plan IN SELECT * FROM fn_iu_core_scaleout_plan(p_batch_id, p_template_ids, p_versions, p_from, p_to) LOOP
        RETURN QUERY
            SELECT v_plan.ordinal, v_plan.template_id, v_plan.template_version, c.outcome, c.collection_id,
                   c.piece_count, c.digest_matches_template
              FROM fn_iu_core_compose_instance(p_batch_id, v_plan.template_id, v_plan.template_version,
                                               v_plan.suffix, p_actor) c;
    END LOOP;
    -- the caller's own overrides (tagged, or none) come back exactly as they were
    PERFORM set_config('iu_core.composer_enabled', coalesce(v_composer, ''), true);
    PERFORM set_config('iu_core.auto_instantiate_enabled', coalesce(v_auto, ''), true);
END
$$;
