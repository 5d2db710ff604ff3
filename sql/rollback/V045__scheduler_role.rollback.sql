-- Quartz's tables back to the runtime role; the scheduler role (a cluster object, created by
-- create_roles.sql) stays, with nothing granted in this database.
REVOKE ALL ON qrtz_job_details, qrtz_triggers, qrtz_simple_triggers, qrtz_cron_triggers, qrtz_simprop_triggers,
    qrtz_blob_triggers, qrtz_calendars, qrtz_paused_trigger_grps, qrtz_fired_triggers, qrtz_scheduler_state,
    qrtz_locks FROM ${scheduler_role};
REVOKE USAGE ON SCHEMA public FROM ${scheduler_role};
GRANT SELECT, INSERT, UPDATE, DELETE ON qrtz_job_details, qrtz_triggers, qrtz_simple_triggers, qrtz_cron_triggers,
    qrtz_simprop_triggers, qrtz_blob_triggers, qrtz_calendars, qrtz_paused_trigger_grps, qrtz_fired_triggers,
    qrtz_scheduler_state, qrtz_locks TO ${runtime_role};
