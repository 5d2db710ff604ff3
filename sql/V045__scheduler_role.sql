-- Quartz gets a role of its own (issue 11 item 5): it ran as the runtime role, which could therefore
-- insert, rewrite or delete any schedule in qrtz_*. Now the scheduler role ${scheduler_role} alone
-- writes those tables and may touch nothing else (it gets no default privileges, and every
-- function PUBLIC may run is SECURITY INVOKER, so it reaches no table through one); the runtime
-- role loses every privilege on them. The role is created once per cluster with the others, by
-- sql/roles/create_roles.sql (the embedded server does it by itself).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${scheduler_role}') THEN
        RAISE EXCEPTION 'the scheduler role ${scheduler_role} does not exist: Quartz connects as it, and it alone may write the qrtz_* tables'
            USING HINT = 'create it as a superuser or a role with CREATEROLE: psql -c "SET iu_core_roles.scheduler_password = ''...''" -f sql/roles/create_roles.sql (it leaves existing roles as they are), then migrate again; IU_DB_SCHEDULER_USER names another role';
    END IF;
    IF '${scheduler_role}' IN ('${runtime_role}', current_user) THEN
        RAISE EXCEPTION 'the scheduler role ${scheduler_role} must be a role of its own, not the runtime or the owner role';
    END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO ${scheduler_role};

REVOKE ALL ON qrtz_job_details, qrtz_triggers, qrtz_simple_triggers, qrtz_cron_triggers, qrtz_simprop_triggers,
    qrtz_blob_triggers, qrtz_calendars, qrtz_paused_trigger_grps, qrtz_fired_triggers, qrtz_scheduler_state,
    qrtz_locks FROM ${runtime_role};

GRANT SELECT, INSERT, UPDATE, DELETE ON qrtz_job_details, qrtz_triggers, qrtz_simple_triggers, qrtz_cron_triggers,
    qrtz_simprop_triggers, qrtz_blob_triggers, qrtz_calendars, qrtz_paused_trigger_grps, qrtz_fired_triggers,
    qrtz_scheduler_state, qrtz_locks TO ${scheduler_role};
