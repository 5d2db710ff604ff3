-- The runtime role (${runtime_role}) the service connects as gets DML on what the owner creates
-- from here on, and nothing else: it can never create, alter or drop an object (DESIGN §9).
-- The roles themselves are created once per cluster by sql/roles/create_roles.sql.
GRANT USAGE ON SCHEMA public TO ${runtime_role};

-- Readiness checks read the migration history as the runtime role.
GRANT SELECT ON flyway_schema_history TO ${runtime_role};

ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${runtime_role};
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO ${runtime_role};
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT EXECUTE ON FUNCTIONS TO ${runtime_role};
