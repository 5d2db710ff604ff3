-- The runtime role creates no temporary objects (DESIGN §11): a temporary table is searched before
-- the schema, so one named like a real table (iu_core_gate, iu_outbound_route) would stand in for it
-- in that session. TEMP comes to every role through PUBLIC, so it is revoked from PUBLIC (the owner
-- keeps it as the database's owner). A database privilege is not copied by CREATE DATABASE ...
-- TEMPLATE nor restored into a fresh database by pg_restore: the restore runbook repeats it.
DO $$
BEGIN
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM %I', current_database(), '${runtime_role}');
    IF has_database_privilege('${runtime_role}', current_database(), 'TEMPORARY') THEN
        RAISE EXCEPTION 'role ${runtime_role} keeps TEMPORARY on database % after the revoke', current_database()
            USING HINT = format('revoke it as the database''s owner or a superuser: REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC, ${runtime_role} (and from any role ${runtime_role} belongs to)', current_database());
    END IF;
END
$$;
