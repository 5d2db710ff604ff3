-- Template composition (DESIGN §7, issue 4). One function composes one instance of a template
-- version, and everything that composes goes through it: the scaleout batch (fn_iu_core_scaleout,
-- from the CLI and the schedule) and the auto-instantiate SQL action of the relay. Also here:
-- what removes an actor's compositions again (fn_iu_core_actor_rollback) and the envelope refresh
-- that migration V015 attaches to lineage inserts.
--
-- An instance is: one iu_piece_collection, its iu_piece_membership rows reusing the template
-- version's pieces (never a new information_unit), one lineage row with its digest, one
-- iu_auto_instantiate_event_log row and one outbox event iu.template.instance_auto_composed, all
-- tagged with the actor. Its idempotency key is md5(event_id || ':' || template_id || ':' || suffix):
-- the event (or scaleout batch) that asked for it, the template and a suffix naming the instance
-- within that request. A key composed once is never composed again.

-- rollback by actor clears the log's link to each deleted collection: look it up by collection
CREATE INDEX iu_auto_instantiate_event_log_collection_idx ON iu_auto_instantiate_event_log (collection_id)
    WHERE collection_id IS NOT NULL;

CREATE FUNCTION fn_iu_core_instance_key(p_event_id uuid, p_template_id text, p_suffix text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT md5(p_event_id::text || ':' || p_template_id || ':' || p_suffix)
$$;

-- A collection's envelope: its piece count and the digest of its ordered pieces, and when they
-- were computed. The trigger of V015 calls it after a lineage insert (gate envelope_refresh_enabled).
CREATE FUNCTION fn_iu_core_envelope_refresh(p_collection_id uuid) RETURNS void
LANGUAGE sql VOLATILE AS $$
    UPDATE iu_piece_collection c
       SET piece_count = m.pieces, envelope_digest = m.digest, envelope_refreshed_at = now()
      FROM (SELECT count(*)::integer AS pieces, fn_iu_piece_digest(array_agg(p.iu_id ORDER BY p.position)) AS digest
              FROM iu_piece_membership p
             WHERE p.collection_id = p_collection_id) m
     WHERE c.id = p_collection_id
$$;

-- The trigger function of V015. It lives here, with the functions, so that V015 is nothing but
-- the CREATE TRIGGER: the one statement that needs the TRIGGER privilege on the lineage table.
CREATE FUNCTION fn_iu_core_lineage_envelope_refresh() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF fn_iu_core_gate_open('envelope_refresh_enabled') THEN
        PERFORM fn_iu_core_envelope_refresh(NEW.collection_id);
    END IF;
    RETURN NULL;
END
$$;

-- Composes one instance, or finds it composed already ('duplicate': nothing is written). Needs
-- gates composer_enabled and auto_instantiate_enabled open for this transaction (persistently, or
-- by the in-transaction toggle a scaleout batch uses); refuses otherwise.
CREATE FUNCTION fn_iu_core_compose_instance(p_source_event_id uuid, p_template_id text, p_template_version integer,
                                            p_suffix text, p_actor text)
RETURNS TABLE (outcome text, collection_id uuid, idempotency_key text, piece_count integer,
               digest_matches_template boolean, event_id uuid)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
    v_key        text;
    v_version    iu_collection_template_version;
    v_title      text;
    v_collection uuid;
    v_pieces     integer;
    v_digest     text;
    v_event      uuid := gen_random_uuid();
BEGIN
    IF p_actor IS NULL OR btrim(p_actor) = '' THEN
        RAISE EXCEPTION 'composing an instance needs an actor' USING ERRCODE = '22023';
    END IF;
    IF p_source_event_id IS NULL OR p_suffix IS NULL OR btrim(p_suffix) = '' THEN
        RAISE EXCEPTION 'composing an instance needs the requesting event (or batch) id and a suffix'
            USING ERRCODE = '22023';
    END IF;
    IF NOT fn_iu_core_gate_open('composer_enabled') THEN
        RAISE EXCEPTION 'gate composer_enabled is closed: no instance of %/v% composed', p_template_id, p_template_version
            USING HINT = 'open gates composer_enabled and auto_instantiate_enabled, or run it as a scaleout batch';
    END IF;
    IF NOT fn_iu_core_gate_open('auto_instantiate_enabled') THEN
        RAISE EXCEPTION 'gate auto_instantiate_enabled is closed: no instance of %/v% composed', p_template_id, p_template_version
            USING HINT = 'open gates composer_enabled and auto_instantiate_enabled, or run it as a scaleout batch';
    END IF;

    -- one composer at a time per requesting event: a concurrent request for the same key waits,
    -- then finds the instance instead of failing on the unique key (one lock per event, not per
    -- instance, so a batch of any size takes one)
    PERFORM pg_advisory_xact_lock(hashtextextended('iu_core_compose:' || p_source_event_id::text, 0));
    v_key := fn_iu_core_instance_key(p_source_event_id, p_template_id, p_suffix);
    SELECT l.collection_id INTO v_collection
      FROM iu_collection_template_instance_lineage l WHERE l.idempotency_key = v_key;
    IF FOUND THEN
        RETURN QUERY
            SELECT 'duplicate'::text, v_collection, v_key, count(*)::integer, l.digest_matches_template, NULL::uuid
              FROM iu_collection_template_instance_lineage l
              LEFT JOIN iu_piece_membership m ON m.collection_id = l.collection_id
             WHERE l.idempotency_key = v_key
             GROUP BY l.digest_matches_template;
        RETURN;
    END IF;

    SELECT * INTO v_version FROM iu_collection_template_version v
     WHERE v.template_id = p_template_id AND v.version = p_template_version;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'template version %/v% does not exist', p_template_id, p_template_version
            USING ERRCODE = '22023', HINT = 'iu_collection_template_version lists the published versions';
    END IF;
    SELECT r.title INTO v_title FROM iu_collection_template_registry r WHERE r.template_id = p_template_id;

    INSERT INTO iu_piece_collection (collection_key, title, template_id, template_version, actor)
    VALUES ('instance:' || v_key, v_title || ' (' || p_suffix || ')', p_template_id, p_template_version, p_actor)
    RETURNING id INTO v_collection;

    INSERT INTO iu_piece_membership (collection_id, position, iu_id, actor)
    SELECT v_collection, p.ord, p.iu_id, p_actor
      FROM unnest(v_version.piece_ids) WITH ORDINALITY AS p(iu_id, ord);
    GET DIAGNOSTICS v_pieces = ROW_COUNT;

    -- the digest of what was written, compared with the template's: a check, not a copy
    SELECT fn_iu_piece_digest(array_agg(m.iu_id ORDER BY m.position)) INTO v_digest
      FROM iu_piece_membership m WHERE m.collection_id = v_collection;

    INSERT INTO iu_collection_template_instance_lineage
           (collection_id, template_id, template_version, digest, digest_matches_template, actor, idempotency_key, event_id)
    VALUES (v_collection, p_template_id, p_template_version, v_digest, v_digest = v_version.digest, p_actor, v_key,
            p_source_event_id);

    INSERT INTO iu_auto_instantiate_event_log
           (source_event_id, template_id, template_version, collection_id, idempotency_key, outcome, actor)
    VALUES (p_source_event_id, p_template_id, p_template_version, v_collection, v_key, 'composed', p_actor);

    INSERT INTO event_outbox (event_id, event_type, aggregate_type, aggregate_id, payload, actor)
    VALUES (v_event, 'iu.template.instance_auto_composed', 'iu_piece_collection', v_collection::text,
            jsonb_build_object('collection_id', v_collection, 'template_id', p_template_id,
                               'template_version', p_template_version, 'digest', v_digest,
                               'digest_matches_template', v_digest = v_version.digest, 'idempotency_key', v_key,
                               'source_event_id', p_source_event_id, 'suffix', p_suffix),
            p_actor);

    RETURN QUERY SELECT 'composed'::text, v_collection, v_key, v_pieces, v_digest = v_version.digest, v_event;
END
$$;

-- The instances of a scaleout batch: instance i (1-based) is of the i-th template in the mix,
-- cycling, with suffix 'v<version>-<i>'; its key, its template's piece count (NULL: no such
-- version) and whether it is composed already. Read-only: the dry run and the batch share it.
CREATE FUNCTION fn_iu_core_scaleout_plan(p_batch_id uuid, p_template_ids text[], p_versions integer[],
                                         p_from integer, p_to integer)
RETURNS TABLE (ordinal integer, template_id text, template_version integer, suffix text, idempotency_key text,
               piece_count integer, already_composed boolean)
LANGUAGE sql STABLE AS $$
    SELECT s.i, s.template_id, s.version, s.suffix, s.key, cardinality(v.piece_ids),
           EXISTS (SELECT 1 FROM iu_collection_template_instance_lineage l WHERE l.idempotency_key = s.key)
      FROM (SELECT i, p_template_ids[t] AS template_id, p_versions[t] AS version,
                   'v' || p_versions[t] || '-' || i AS suffix,
                   fn_iu_core_instance_key(p_batch_id, p_template_ids[t], 'v' || p_versions[t] || '-' || i) AS key
              FROM generate_series(p_from, p_to) AS i,
                   LATERAL (SELECT (i - 1) % cardinality(p_template_ids) + 1 AS t) pick) s
      LEFT JOIN iu_collection_template_version v ON v.template_id = s.template_id AND v.version = s.version
     ORDER BY s.i
$$;

-- Composes instances p_from..p_to of a scaleout batch in the caller's transaction. Needs gate
-- scaleout_enabled open; opens composer_enabled and auto_instantiate_enabled for this transaction
-- only while it composes, and sets both back before it returns, so before the caller commits
-- every gate reads as it did (the field report's in-transaction toggle). Call it for consecutive
-- ranges in one transaction, and the batch commits, or rolls back, as one.
CREATE FUNCTION fn_iu_core_scaleout(p_batch_id uuid, p_actor text, p_template_ids text[], p_versions integer[],
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

-- The vetted SQL action of event type iu.template.instantiate_requested: composes one instance.
-- Payload: {"template_id": "tpl:wf:onboarding", "version": 2, "actor": "crm-sync", "suffix": "hire-4711"};
-- actor defaults to the event's outbox actor, suffix to 'v<version>': one instance per event
-- unless the suffix says otherwise. Needs gates auto_instantiate_enabled and composer_enabled
-- open; a redelivered event finds its instance and composes nothing.
CREATE FUNCTION fn_iu_action_auto_instantiate(p_event_id uuid, p_event_type text, p_payload jsonb)
RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_template text := p_payload ->> 'template_id';
    v_version  text := p_payload ->> 'version';
    v_actor    text := nullif(btrim(p_payload ->> 'actor'), '');
    v_suffix   text := nullif(btrim(p_payload ->> 'suffix'), '');
BEGIN
    IF v_template IS NULL OR v_version IS NULL OR v_version !~ '^[1-9][0-9]{0,8}$' THEN
        RAISE EXCEPTION 'event % (%) needs payload template_id and a whole-number version, got template_id %, version %',
            p_event_id, p_event_type, coalesce(v_template, 'none'), coalesce(v_version, 'none') USING ERRCODE = '22023';
    END IF;
    IF v_actor IS NULL THEN
        SELECT nullif(btrim(o.actor), '') INTO v_actor FROM event_outbox o WHERE o.event_id = p_event_id;
    END IF;
    IF v_actor IS NULL THEN
        RAISE EXCEPTION 'event % (%) names no actor: give payload actor, or the outbox actor column', p_event_id, p_event_type
            USING ERRCODE = '22023';
    END IF;
    PERFORM fn_iu_core_compose_instance(p_event_id, v_template, v_version::integer,
                                        coalesce(v_suffix, 'v' || v_version), v_actor);
END
$$;

INSERT INTO iu_sql_action (action_name, description) VALUES
    ('fn_iu_action_auto_instantiate',
     'Compose one instance of a template version (gates auto_instantiate_enabled and composer_enabled).');

-- Auto-instantiate is wired: it runs once sql_routes_enabled, auto_instantiate_enabled and
-- composer_enabled are open (all closed by default).
INSERT INTO iu_sql_event_route (route_key, event_type, action, description) VALUES
    ('iu-auto-instantiate', 'iu.template.instantiate_requested', 'fn_iu_action_auto_instantiate',
     'Auto-instantiate: compose the requested template instance.');

-- Everything one actor's compositions wrote, per table: counted (dry run) or deleted, in the
-- caller's one transaction. Deleting the actor's outbox events also deletes their deliveries and
-- attempts (foreign keys cascade); their dead letters stay, with their event snapshot (the link
-- to the delivery is cleared), as retention does. Refused, deleting nothing, when rows of another
-- actor belong to this actor's collections: removing them would remove another actor's rows.
-- Audit and evidence (gate audit, command log, retention and batch runs, matrix snapshots) stay.
CREATE FUNCTION fn_iu_core_actor_rollback(p_actor text, p_dry_run boolean)
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
