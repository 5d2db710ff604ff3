-- Gates change only through their audited function (DESIGN §11). The runtime role could UPDATE
-- iu_core_gate directly, and name any actor for the audit row with
-- set_config('iu_core_audit.actor', ...). Now it has no DML on the table, and fn_iu_core_gate_set
-- runs as the owner: the actor is the one passed to it (the --actor of a command), and the audit
-- row's db_user the database user that called it. The owner's own UPDATEs stay audited by the trigger.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON iu_core_gate FROM ${runtime_role};

ALTER FUNCTION fn_iu_core_gate_set(text, text, text, text) SECURITY DEFINER;
ALTER FUNCTION fn_iu_core_gate_set(text, text, text, text) SET search_path = public, pg_temp;
-- running as the owner, it is for the runtime role only, not every role that may connect
REVOKE EXECUTE ON FUNCTION fn_iu_core_gate_set(text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION fn_iu_core_gate_set(text, text, text, text) TO ${runtime_role};
