-- The boundary enforced, not only observed (DESIGN §6): a type the registry marks internal-only can
-- have no route, outbound or SQL. Writing such a route, or marking a type internal-only while it
-- has routes, is refused with an error that says which layer of the boundary it would break.
ALTER TABLE event_type_registry ADD COLUMN internal_only boolean NOT NULL DEFAULT false;
SELECT set_config('iu_core_audit.reason', 'V039: the internal-only vocabulary of the field report', true);
UPDATE event_type_registry SET internal_only = true WHERE event_type = 'iu.template.instance_auto_composed';

CREATE FUNCTION fn_iu_core_refuse_internal_route() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM event_type_registry r WHERE r.event_type = NEW.event_type AND r.internal_only) THEN
        RAISE EXCEPTION 'event type % is internal-only: no route may carry it (route %, layer 2 of the boundary)',
            NEW.event_type, NEW.route_key USING ERRCODE = '23514';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER iu_outbound_route_internal_only_trg BEFORE INSERT OR UPDATE OF event_type ON iu_outbound_route
    FOR EACH ROW EXECUTE FUNCTION fn_iu_core_refuse_internal_route();
CREATE TRIGGER iu_sql_event_route_internal_only_trg BEFORE INSERT OR UPDATE OF event_type ON iu_sql_event_route
    FOR EACH ROW EXECUTE FUNCTION fn_iu_core_refuse_internal_route();

CREATE FUNCTION fn_iu_core_refuse_internal_with_routes() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.internal_only AND (EXISTS (SELECT 1 FROM iu_outbound_route r WHERE r.event_type = NEW.event_type)
                              OR EXISTS (SELECT 1 FROM iu_sql_event_route s WHERE s.event_type = NEW.event_type)) THEN
        RAISE EXCEPTION 'event type % has routes: remove them before marking it internal-only', NEW.event_type
            USING ERRCODE = '23514';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER event_type_registry_internal_only_trg BEFORE INSERT OR UPDATE OF internal_only ON event_type_registry
    FOR EACH ROW EXECUTE FUNCTION fn_iu_core_refuse_internal_with_routes();
