-- The route table (layer 2 of the boundary) and the delivery bookkeeping of the relay (DESIGN §6).

CREATE TABLE iu_outbound_route (
    route_key                 text        PRIMARY KEY CHECK (route_key ~ '^[a-z0-9][a-z0-9._-]*$'),
    event_type                text        NOT NULL REFERENCES event_type_registry (event_type),
    -- The scheme is checked by the relay against its allowlist (http, https, kafka, log) when it
    -- delivers: a row with any other scheme is dead-lettered target_scheme_rejected, never resolved.
    target_uri                text        NOT NULL,
    enabled                   boolean     NOT NULL DEFAULT true,
    max_attempts              integer     NOT NULL DEFAULT 8 CHECK (max_attempts BETWEEN 1 AND 100),
    backoff_initial_ms        integer     NOT NULL DEFAULT 1000 CHECK (backoff_initial_ms > 0),
    backoff_factor            numeric     NOT NULL DEFAULT 2.0 CHECK (backoff_factor >= 1),
    backoff_max_ms            integer     NOT NULL DEFAULT 600000,
    ordered                   boolean     NOT NULL DEFAULT false,
    -- The name of an environment variable holding the signing secret; never the secret itself.
    secret_ref                text        CHECK (secret_ref ~ '^[A-Za-z_][A-Za-z0-9_]*$'),
    connect_timeout_ms        integer     NOT NULL DEFAULT 5000 CHECK (connect_timeout_ms > 0),
    read_timeout_ms           integer     NOT NULL DEFAULT 10000 CHECK (read_timeout_ms > 0),
    circuit_failure_threshold integer     NOT NULL DEFAULT 5 CHECK (circuit_failure_threshold >= 1),
    circuit_open_ms           integer     NOT NULL DEFAULT 30000 CHECK (circuit_open_ms > 0),
    rate_limit_per_second     numeric     CHECK (rate_limit_per_second > 0),
    description               text,
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now(),
    CHECK (backoff_max_ms >= backoff_initial_ms)
);
CREATE INDEX iu_outbound_route_event_type_idx ON iu_outbound_route (event_type);

-- The vetted SQL actions: a route names one of these functions, never SQL text. Rows come only
-- from migrations; the runtime role may read them and nothing more.
CREATE TABLE iu_sql_action (
    action_name text PRIMARY KEY CHECK (action_name ~ '^fn_[a-z0-9_]+$'),
    description text NOT NULL
);
REVOKE INSERT, UPDATE, DELETE ON iu_sql_action FROM ${runtime_role};

CREATE TABLE iu_sql_event_route (
    route_key          text        PRIMARY KEY CHECK (route_key ~ '^[a-z0-9][a-z0-9._-]*$'),
    event_type         text        NOT NULL REFERENCES event_type_registry (event_type),
    action             text        NOT NULL REFERENCES iu_sql_action (action_name),
    enabled            boolean     NOT NULL DEFAULT true,
    max_attempts       integer     NOT NULL DEFAULT 3 CHECK (max_attempts BETWEEN 1 AND 100),
    backoff_initial_ms integer     NOT NULL DEFAULT 1000 CHECK (backoff_initial_ms > 0),
    backoff_factor     numeric     NOT NULL DEFAULT 2.0 CHECK (backoff_factor >= 1),
    backoff_max_ms     integer     NOT NULL DEFAULT 60000,
    description        text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (backoff_max_ms >= backoff_initial_ms)
);
CREATE INDEX iu_sql_event_route_event_type_idx ON iu_sql_event_route (event_type);

-- One row per event x route. A replay adds a fresh row (replay_of) and keeps the old one.
CREATE TABLE iu_route_delivery (
    id              bigserial   PRIMARY KEY,
    event_id        uuid        NOT NULL REFERENCES event_outbox (event_id) ON DELETE CASCADE,
    outbox_id       bigint      NOT NULL,
    aggregate_id    text        NOT NULL,
    route_kind      text        NOT NULL CHECK (route_kind IN ('outbound', 'sql')),
    route_key       text        NOT NULL,
    status          text        NOT NULL DEFAULT 'pending'
                                CHECK (status IN ('pending', 'delivered', 'retrying', 'dead')),
    attempts        integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    locked_by       text,
    locked_until    timestamptz,
    replay_of       bigint      REFERENCES iu_route_delivery (id) ON DELETE SET NULL,
    last_error      text        CHECK (length(last_error) <= 2000),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz
);
CREATE UNIQUE INDEX iu_route_delivery_event_route_uq ON iu_route_delivery (event_id, route_key) WHERE replay_of IS NULL;
-- The delivery claim reads only open deliveries that are due.
CREATE INDEX iu_route_delivery_due_idx ON iu_route_delivery (next_attempt_at, id) WHERE status IN ('pending', 'retrying');
-- Per-aggregate order on ordered routes: is an earlier event of this aggregate still open?
CREATE INDEX iu_route_delivery_order_idx ON iu_route_delivery (route_key, aggregate_id, outbox_id) WHERE status IN ('pending', 'retrying');
CREATE INDEX iu_route_delivery_replay_of_idx ON iu_route_delivery (replay_of) WHERE replay_of IS NOT NULL;

-- One row per try. (delivery_id, attempt_no) is unique: two relays can never record the same attempt.
CREATE TABLE iu_route_attempt (
    id           bigserial   PRIMARY KEY,
    delivery_id  bigint      NOT NULL REFERENCES iu_route_delivery (id) ON DELETE CASCADE,
    attempt_no   integer     NOT NULL CHECK (attempt_no >= 1),
    outcome      text        NOT NULL
                             CHECK (outcome IN ('delivered', 'failed', 'timeout', 'permanent_failure', 'rejected')),
    http_status  integer,
    error_class  text,
    error_text   text        CHECK (length(error_text) <= 2000),
    latency_ms   integer     NOT NULL DEFAULT 0 CHECK (latency_ms >= 0),
    node         text        NOT NULL,
    attempted_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (delivery_id, attempt_no)
);
CREATE INDEX iu_route_attempt_attempted_at_idx ON iu_route_attempt (attempted_at);

-- What could not be delivered, never dropped: the event as it was, why, and what became of it.
CREATE TABLE iu_route_dead_letter (
    id                 bigserial   PRIMARY KEY,
    delivery_id        bigint      REFERENCES iu_route_delivery (id) ON DELETE SET NULL,
    event_id           uuid        NOT NULL,
    event_type         text        NOT NULL,
    route_key          text,
    reason             text        NOT NULL CHECK (reason IN (
                           'unregistered_type', 'type_disabled', 'target_scheme_rejected',
                           'attempts_exhausted', 'permanent_failure', 'action_failed', 'route_removed')),
    event_snapshot     jsonb       NOT NULL,
    last_error         text        CHECK (length(last_error) <= 2000),
    dead_at            timestamptz NOT NULL DEFAULT now(),
    replayed_at        timestamptz,
    replayed_by        text,
    replay_delivery_id bigint      REFERENCES iu_route_delivery (id) ON DELETE SET NULL,
    resolved_at        timestamptz,
    resolved_by        text,
    CHECK ((replayed_at IS NULL) = (replayed_by IS NULL)),
    CHECK ((resolved_at IS NULL) = (resolved_by IS NULL))
);
CREATE INDEX iu_route_dead_letter_dead_at_idx ON iu_route_dead_letter (dead_at);
CREATE INDEX iu_route_dead_letter_route_idx ON iu_route_dead_letter (route_key, dead_at);
CREATE INDEX iu_route_dead_letter_event_type_idx ON iu_route_dead_letter (event_type, dead_at);
CREATE INDEX iu_route_dead_letter_delivery_idx ON iu_route_dead_letter (delivery_id);

-- Circuit state per route: after a run of failures the route pauses instead of burning attempts.
CREATE TABLE iu_route_circuit (
    route_key            text        PRIMARY KEY,
    state                text        NOT NULL DEFAULT 'closed' CHECK (state IN ('closed', 'open', 'half_open')),
    consecutive_failures integer     NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
    opened_at            timestamptz,
    next_probe_at        timestamptz,
    updated_at           timestamptz NOT NULL DEFAULT now()
);
