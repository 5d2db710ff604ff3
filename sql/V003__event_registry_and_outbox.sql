-- The event-type registry (layer 1 of the boundary) and the transactional outbox.

CREATE TABLE event_type_registry (
    event_type    text        PRIMARY KEY CHECK (event_type ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$'),
    delivery_lane text        NOT NULL CHECK (delivery_lane IN ('live', 'delayed')),
    description   text        NOT NULL,
    enabled       boolean     NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- The IU Core vocabulary. Lane 'delayed' events are held for the delayed-lane batch;
-- iu.template.instance_auto_composed has no routes at all: it is internal only.
INSERT INTO event_type_registry (event_type, delivery_lane, description) VALUES
    ('iu.information_unit.created',        'live',    'An information unit was created.'),
    ('iu.information_unit.updated',        'live',    'An information unit''s content changed.'),
    ('iu.information_unit.archived',       'live',    'An information unit was archived.'),
    ('iu.piece.attached',                  'live',    'An information unit joined a collection as a piece.'),
    ('iu.piece.detached',                  'live',    'A piece left a collection.'),
    ('iu.collection.created',              'live',    'A piece collection was created.'),
    ('iu.collection.updated',              'live',    'A piece collection changed.'),
    ('iu.collection.archived',             'live',    'A piece collection was archived.'),
    ('iu.collection.envelope_refreshed',   'delayed', 'A collection envelope (piece count, digest) was refreshed.'),
    ('iu.template.registered',             'live',    'A collection template was registered.'),
    ('iu.template.version_published',      'live',    'A new version of a collection template was published.'),
    ('iu.template.instantiate_requested',  'live',    'Someone asked for one instance of a template (auto-instantiate).'),
    ('iu.template.instance_auto_composed', 'delayed', 'A template instance was composed automatically. Internal only: no routes.'),
    ('iu.document.ingested',               'live',    'A source document was ingested into information units.'),
    ('iu.document.published',              'live',    'A document was published.'),
    ('iu.lifecycle.transitioned',          'live',    'An information unit moved to another lifecycle state.'),
    ('iu.vector.sync_requested',           'delayed', 'Information units wait to be synced to the vector store.'),
    ('iu.vector.synced',                   'live',    'Information units were synced to the vector store.'),
    ('iu.retention.run_completed',         'delayed', 'A retention run finished.'),
    ('iu.scaleout.batch_completed',        'delayed', 'A scaleout batch finished.');

-- event_type is deliberately not a foreign key: an unregistered type must be insertable so the
-- relay can dead-letter it (reason unregistered_type) instead of the producer's transaction failing.
CREATE TABLE event_outbox (
    id             bigserial   PRIMARY KEY,
    event_id       uuid        NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    event_type     text        NOT NULL,
    aggregate_type text        NOT NULL,
    aggregate_id   text        NOT NULL,
    payload        jsonb       NOT NULL DEFAULT '{}'::jsonb,
    headers        jsonb       NOT NULL DEFAULT '{}'::jsonb,
    actor          text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    available_at   timestamptz NOT NULL DEFAULT now(),
    status         text        NOT NULL DEFAULT 'pending'
                               CHECK (status IN ('pending', 'dispatched', 'held', 'dead')),
    locked_by      text,
    locked_until   timestamptz,
    dispatched_at  timestamptz,
    CHECK (status <> 'dispatched' OR dispatched_at IS NOT NULL)
);

-- The dispatcher's claim reads only this small partial index.
CREATE INDEX event_outbox_pending_idx ON event_outbox (available_at, id) WHERE status = 'pending';
-- The delayed-lane release reads held events in order.
CREATE INDEX event_outbox_held_idx ON event_outbox (id) WHERE status = 'held';
-- Retention finds processed events by age.
CREATE INDEX event_outbox_dispatched_at_idx ON event_outbox (dispatched_at) WHERE status IN ('dispatched', 'dead');
CREATE INDEX event_outbox_actor_idx ON event_outbox (actor) WHERE actor IS NOT NULL;

-- Wakes the relay on commit without waiting for its poll. Statement level: one notification per
-- inserting statement, however many rows (PostgreSQL folds duplicates within a transaction).
CREATE FUNCTION fn_event_outbox_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('iu_core_outbox', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER event_outbox_notify_trg
    AFTER INSERT ON event_outbox
    FOR EACH STATEMENT EXECUTE FUNCTION fn_event_outbox_notify();
