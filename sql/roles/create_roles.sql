-- IU Core roles (DESIGN §9). Run once per PostgreSQL cluster as a superuser or a role with
-- CREATEROLE; the embedded database runs this very file on its first start.
--
--   the owner role   owns the schema and applies migrations (iu-core migrate)
--   the runtime role the service connects as: DML only, never DDL
--   the scheduler role Quartz connects as: DML on the qrtz_* tables only (migration 045)
--
-- Names and passwords come from session settings so psql can pass them without editing:
--   psql -v ON_ERROR_STOP=1 \
--        -c "SET iu_core_roles.owner_password = 'change-me'" \
--        -c "SET iu_core_roles.runtime_password = 'change-me-too'" \
--        -c "SET iu_core_roles.scheduler_password = 'change-me-three'" \
--        -f sql/roles/create_roles.sql
--   createdb --owner iu_core_owner iu_core
-- Unset names default to iu_core_owner, iu_core_app and iu_core_scheduler; an unset password leaves the role's as it
-- is. The embedded server passes passwords it generated (kept in <data dir>/iu-core.pgpass).
DO $roles$
DECLARE
    owner_role       text := coalesce(nullif(current_setting('iu_core_roles.owner_role', true), ''), 'iu_core_owner');
    runtime_role     text := coalesce(nullif(current_setting('iu_core_roles.runtime_role', true), ''), 'iu_core_app');
    owner_password   text := nullif(current_setting('iu_core_roles.owner_password', true), '');
    runtime_password text := nullif(current_setting('iu_core_roles.runtime_password', true), '');
    scheduler_role     text := coalesce(nullif(current_setting('iu_core_roles.scheduler_role', true), ''), 'iu_core_scheduler');
    scheduler_password text := nullif(current_setting('iu_core_roles.scheduler_password', true), '');
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = owner_role) THEN
        EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB', owner_role);
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = runtime_role) THEN
        EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB NOINHERIT', runtime_role);
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = scheduler_role) THEN
        EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB NOINHERIT', scheduler_role);
    END IF;
    IF owner_password IS NOT NULL THEN
        EXECUTE format('ALTER ROLE %I PASSWORD %L', owner_role, owner_password);
    END IF;
    IF runtime_password IS NOT NULL THEN
        EXECUTE format('ALTER ROLE %I PASSWORD %L', runtime_role, runtime_password);
    END IF;
    IF scheduler_password IS NOT NULL THEN
        EXECUTE format('ALTER ROLE %I PASSWORD %L', scheduler_role, scheduler_password);
    END IF;
END
$roles$;
