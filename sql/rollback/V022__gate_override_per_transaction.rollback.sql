-- Back to V002's gate reader and V013's scaleout: an override is again any value of iu_core.<gate>.
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
    IF v_local IS NOT NULL AND v_local <> '' THEN
        RETURN v_local;
    END IF;
    RETURN v_value;
EXCEPTION WHEN OTHERS THEN
    RETURN NULL;
END
$$;

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
    PERFORM set_config('iu_core.composer_enabled', 'true', true);
    PERFORM set_config('iu_core.auto_instantiate_enabled', 'true', true);
    FOR v_plan IN SELECT * FROM fn_iu_core_scaleout_plan(p_batch_id, p_template_ids, p_versions, p_from, p_to) LOOP
        RETURN QUERY
            SELECT v_plan.ordinal, v_plan.template_id, v_plan.template_version, c.outcome, c.collection_id,
                   c.piece_count, c.digest_matches_template
              FROM fn_iu_core_compose_instance(p_batch_id, v_plan.template_id, v_plan.template_version,
                                               v_plan.suffix, p_actor) c;
    END LOOP;
    PERFORM set_config('iu_core.composer_enabled', coalesce(v_composer, ''), true);
    PERFORM set_config('iu_core.auto_instantiate_enabled', coalesce(v_auto, ''), true);
END
$$;

DROP FUNCTION IF EXISTS fn_iu_core_gate_override(text, text);
DROP FUNCTION IF EXISTS fn_iu_core_xact_tag();
