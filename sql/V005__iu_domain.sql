-- The IU Core domain the batches work on: information units, collection templates and their
-- versions, piece collections built from them, and the logs around them (DESIGN §4).

CREATE TABLE information_unit (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    iu_key          text        NOT NULL UNIQUE,
    kind            text        NOT NULL,
    title           text        NOT NULL,
    body            text,
    lifecycle_state text        NOT NULL DEFAULT 'draft' CHECK (lifecycle_state IN ('draft', 'active', 'archived')),
    actor           text        NOT NULL DEFAULT 'system',
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- The digest of an ordered piece list: the same pieces in the same order give the same digest,
-- for a template version and for any collection composed from it.
CREATE FUNCTION fn_iu_piece_digest(p_pieces uuid[]) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT md5(array_to_string(p_pieces, ','))
$$;

CREATE TABLE iu_collection_template_registry (
    template_id text        PRIMARY KEY CHECK (template_id ~ '^tpl:[a-z]+:[a-z0-9-]+$'),
    kind        text        NOT NULL CHECK (kind IN ('file', 'wf')),
    title       text        NOT NULL,
    description text,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE iu_collection_template_version (
    template_id  text        NOT NULL REFERENCES iu_collection_template_registry (template_id),
    version      integer     NOT NULL CHECK (version >= 1),
    piece_ids    uuid[]      NOT NULL CHECK (cardinality(piece_ids) >= 1),
    digest       text        NOT NULL,
    published_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (template_id, version),
    CHECK (digest = fn_iu_piece_digest(piece_ids))
);

CREATE TABLE iu_piece_collection (
    id                    uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    collection_key        text        NOT NULL UNIQUE,
    title                 text        NOT NULL,
    template_id           text,
    template_version      integer,
    piece_count           integer     NOT NULL DEFAULT 0 CHECK (piece_count >= 0),
    envelope_digest       text,
    envelope_refreshed_at timestamptz,
    actor                 text        NOT NULL,
    created_at            timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (template_id, template_version) REFERENCES iu_collection_template_version (template_id, version)
);
CREATE INDEX iu_piece_collection_actor_idx ON iu_piece_collection (actor);

-- A collection's pieces reuse existing information units: membership, never copies.
CREATE TABLE iu_piece_membership (
    collection_id uuid        NOT NULL REFERENCES iu_piece_collection (id) ON DELETE CASCADE,
    position      integer     NOT NULL CHECK (position >= 1),
    iu_id         uuid        NOT NULL REFERENCES information_unit (id),
    actor         text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (collection_id, position)
);
CREATE INDEX iu_piece_membership_iu_idx ON iu_piece_membership (iu_id);
CREATE INDEX iu_piece_membership_actor_idx ON iu_piece_membership (actor);

CREATE TABLE iu_collection_template_instance_lineage (
    id                      bigserial   PRIMARY KEY,
    collection_id           uuid        NOT NULL UNIQUE REFERENCES iu_piece_collection (id) ON DELETE CASCADE,
    template_id             text        NOT NULL,
    template_version        integer     NOT NULL,
    digest                  text        NOT NULL,
    digest_matches_template boolean     NOT NULL,
    actor                   text        NOT NULL,
    -- md5(event_id || ':' || template_id || ':' || suffix): a re-run of the same batch creates nothing
    idempotency_key         text        NOT NULL UNIQUE,
    event_id                uuid,
    created_at              timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (template_id, template_version) REFERENCES iu_collection_template_version (template_id, version)
);
CREATE INDEX iu_collection_template_instance_lineage_actor_idx ON iu_collection_template_instance_lineage (actor);

CREATE TABLE iu_auto_instantiate_event_log (
    id               bigserial   PRIMARY KEY,
    source_event_id  uuid,
    template_id      text        NOT NULL,
    template_version integer     NOT NULL,
    collection_id    uuid        REFERENCES iu_piece_collection (id) ON DELETE SET NULL,
    idempotency_key  text        NOT NULL,
    outcome          text        NOT NULL CHECK (outcome IN ('composed', 'duplicate', 'refused')),
    actor            text        NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX iu_auto_instantiate_event_log_created_at_idx ON iu_auto_instantiate_event_log (created_at);
CREATE INDEX iu_auto_instantiate_event_log_actor_idx ON iu_auto_instantiate_event_log (actor);

CREATE TABLE iu_lifecycle_log (
    id         bigserial   PRIMARY KEY,
    iu_id      uuid        NOT NULL REFERENCES information_unit (id) ON DELETE CASCADE,
    from_state text,
    to_state   text        NOT NULL,
    actor      text        NOT NULL,
    reason     text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX iu_lifecycle_log_iu_idx ON iu_lifecycle_log (iu_id, created_at);

CREATE TABLE iu_vector_sync_point (
    id                bigserial   PRIMARY KEY,
    iu_id             uuid        NOT NULL REFERENCES information_unit (id) ON DELETE CASCADE,
    vector_collection text        NOT NULL,
    chunk_count       integer     NOT NULL CHECK (chunk_count >= 0),
    content_digest    text,
    actor             text        NOT NULL,
    synced_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (iu_id, vector_collection)
);
