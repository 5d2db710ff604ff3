-- The control plane beside the gates (DESIGN §11): the route tables, the event-type registry and
-- the retention policies. The runtime role could rewrite them unaudited (point a route at another
-- target, mark an internal type live, shorten a retention). Now it only reads them; whoever changes
-- them (the owner, from psql or a migration) leaves a row in iu_core_control_audit: the table, the
-- row's key, old and new row, the actor named in iu_core_audit.actor (else the database user), the
-- reason in iu_core_audit.reason, and the database user itself.

CREATE TABLE iu_core_control_audit (
    id         bigserial   PRIMARY KEY,
    table_name text        NOT NULL,
    row_key    text        NOT NULL,
    operation  text        NOT NULL CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE')),
    old_row    jsonb,
    new_row    jsonb,
    actor      text        NOT NULL,
    reason     text,
    db_user    text        NOT NULL DEFAULT session_user,
    changed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX iu_core_control_audit_key_idx ON iu_core_control_audit (table_name, row_key, changed_at);
REVOKE INSERT, UPDATE, DELETE ON iu_core_control_audit FROM ${runtime_role};

REVOKE INSERT, UPDATE, DELETE, TRUNCATE
    ON iu_outbound_route, iu_sql_event_route, event_type_registry, iu_core_retention_policy
  FROM ${runtime_role};

-- TG_ARGV[0]: the table's key column.
CREATE FUNCTION fn_iu_core_control_audit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_old jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    v_new jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
BEGIN
    IF v_old IS NOT DISTINCT FROM v_new THEN
        RETURN NULL;
    END IF;
    INSERT INTO iu_core_control_audit (table_name, row_key, operation, old_row, new_row, actor, reason)
    VALUES (TG_TABLE_NAME, coalesce(v_new, v_old) ->> TG_ARGV[0], TG_OP, v_old, v_new,
            coalesce(nullif(current_setting('iu_core_audit.actor', true), ''), session_user),
            nullif(current_setting('iu_core_audit.reason', true), ''));
    RETURN NULL;
END
$$;

CREATE TRIGGER iu_outbound_route_audit_trg AFTER INSERT OR UPDATE OR DELETE ON iu_outbound_route
    FOR EACH ROW EXECUTE FUNCTION fn_iu_core_control_audit('route_key');
CREATE TRIGGER iu_sql_event_route_audit_trg AFTER INSERT OR UPDATE OR DELETE ON iu_sql_event_route
    FOR EACH ROW EXECUTE FUNCTION fn_iu_core_control_audit('route_key');
CREATE TRIGGER event_type_registry_audit_trg AFTER INSERT OR UPDATE OR DELETE ON event_type_registry
    FOR EACH ROW EXECUTE FUNCTION fn_iu_core_control_audit('event_type');
CREATE TRIGGER iu_core_retention_policy_audit_trg AFTER INSERT OR UPDATE OR DELETE ON iu_core_retention_policy
    FOR EACH ROW EXECUTE FUNCTION fn_iu_core_control_audit('target');
