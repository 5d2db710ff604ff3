-- Credentials inside a target URI (https://user:pass@host/...) were stored, shown by `routes list`
-- and silently not sent (the JDK client sends no user info). Refused when a route is written; a
-- route that already has them stops the migration with its key, so the operator moves the secret
-- to secret_ref or the receiver's own scheme first.
DO $$
DECLARE
    v_keys text;
BEGIN
    SELECT string_agg(route_key, ', ' ORDER BY route_key) INTO v_keys
      FROM iu_outbound_route WHERE target_uri ~ '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*@';
    IF v_keys IS NOT NULL THEN
        RAISE EXCEPTION 'routes % have credentials in target_uri: remove them (UPDATE iu_outbound_route SET target_uri = ...) and migrate again', v_keys
            USING ERRCODE = '23514';
    END IF;
END
$$;

ALTER TABLE iu_outbound_route ADD CONSTRAINT iu_outbound_route_target_without_credentials
    CHECK (target_uri !~ '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*@');
