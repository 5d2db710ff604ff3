-- What the relay needs beyond the data model: the per-route claim index, and the first vetted
-- SQL action.

-- The delivery claim takes, per route, the earliest due deliveries up to the route's free slots.
CREATE INDEX iu_route_delivery_route_due_idx ON iu_route_delivery (route_key, next_attempt_at, id)
    WHERE status IN ('pending', 'retrying');
-- ... and counts, per route, the deliveries in flight (leased): a small index, as leases are brief.
CREATE INDEX iu_route_delivery_leased_idx ON iu_route_delivery (route_key, locked_until)
    WHERE locked_until IS NOT NULL AND status IN ('pending', 'retrying');

-- A vetted SQL action: records that an information unit was synced to a vector collection.
-- Payload: {"iu_id": uuid, "vector_collection": text, "chunk_count": int, "content_digest": text?}.
-- Domain gate vector_sync_enabled guards the write, independently of the relay's gates.
CREATE FUNCTION fn_iu_action_record_vector_sync(p_event_id uuid, p_event_type text, p_payload jsonb)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT fn_iu_core_gate_open('vector_sync_enabled') THEN
        RAISE EXCEPTION 'gate vector_sync_enabled is closed: event % not applied', p_event_id
            USING ERRCODE = 'P0001';
    END IF;
    IF p_payload ->> 'iu_id' IS NULL OR p_payload ->> 'vector_collection' IS NULL THEN
        RAISE EXCEPTION 'event % (%) lacks iu_id or vector_collection', p_event_id, p_event_type
            USING ERRCODE = '22023';
    END IF;
    INSERT INTO iu_vector_sync_point (iu_id, vector_collection, chunk_count, content_digest, actor)
    VALUES ((p_payload ->> 'iu_id')::uuid, p_payload ->> 'vector_collection',
            coalesce((p_payload ->> 'chunk_count')::int, 0), p_payload ->> 'content_digest', 'relay:' || p_event_id)
    ON CONFLICT (iu_id, vector_collection) DO UPDATE
        SET chunk_count = EXCLUDED.chunk_count, content_digest = EXCLUDED.content_digest,
            actor = EXCLUDED.actor, synced_at = now();
END
$$;

INSERT INTO iu_sql_action (action_name, description) VALUES
    ('fn_iu_action_record_vector_sync', 'Record an information unit''s vector sync point (gate vector_sync_enabled).');
