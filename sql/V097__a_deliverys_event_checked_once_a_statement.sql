-- A delivery's event checked once a statement, not once a row (issue 10: less database work per dispatched event).
--
-- The foreign key iu_route_delivery.event_id -> event_outbox.event_id ran, for every delivery created, a
-- query of its own (through SPI) that looked its event up and locked it: 500 of them a dispatch batch.
-- With one query a statement in its place, the route table's statement took 0.86 x the database time per
-- event, and the log-route dispatch ran 1.07 - 1.13 x as fast (BENCHMARKS.md, 2026-12-05). What the key
-- promised holds:
--   * a delivery's event exists and cannot be deleted before the delivery commits: after each statement
--     that creates deliveries, one query locks their events FOR KEY SHARE, and one missing fails the
--     statement as the key did (23503). In the dispatcher's transaction, which holds its events FOR
--     UPDATE since its claim, such a lock writes nothing;
--   * deleting events deletes their deliveries (and so their attempts), as ON DELETE CASCADE did, as the
--     owner; truncating event_outbox empties iu_route_delivery;
--   * an event's event_id does not change under its deliveries, nor a delivery's event.
-- The triggers' functions run as the owner, as the key's checks did, whoever writes the rows; nobody
-- calls them but their triggers.
ALTER TABLE iu_route_delivery DROP CONSTRAINT iu_route_delivery_event_id_fkey;

CREATE FUNCTION fn_iu_core_delivery_events_held() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_held bigint;
    v_missing uuid;
BEGIN
    SELECT count(*) INTO v_held
      FROM (SELECT 1 FROM event_outbox e WHERE e.event_id IN (SELECT n.event_id FROM created n) FOR KEY SHARE OF e) h;
    IF v_held < (SELECT count(DISTINCT n.event_id) FROM created n) THEN
        SELECT n.event_id INTO v_missing FROM created n
         WHERE NOT EXISTS (SELECT 1 FROM event_outbox e WHERE e.event_id = n.event_id) LIMIT 1;
        RAISE EXCEPTION 'a delivery''s event % is not in event_outbox', v_missing USING ERRCODE = '23503';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER iu_route_delivery_events_held_trg AFTER INSERT ON iu_route_delivery
    REFERENCING NEW TABLE AS created FOR EACH STATEMENT EXECUTE FUNCTION fn_iu_core_delivery_events_held();

CREATE FUNCTION fn_iu_core_event_deliveries_deleted() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM iu_route_delivery;
    ELSE
        DELETE FROM iu_route_delivery d WHERE d.event_id IN (SELECT g.event_id FROM gone g);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER event_outbox_deliveries_deleted_trg AFTER DELETE ON event_outbox
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION fn_iu_core_event_deliveries_deleted();
CREATE TRIGGER event_outbox_deliveries_truncated_trg AFTER TRUNCATE ON event_outbox
    FOR EACH STATEMENT EXECUTE FUNCTION fn_iu_core_event_deliveries_deleted();

CREATE FUNCTION fn_iu_core_delivery_event_kept() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_TABLE_NAME = 'iu_route_delivery' THEN
        RAISE EXCEPTION 'delivery %: a delivery''s event does not change', OLD.id USING ERRCODE = '23503';
    ELSIF EXISTS (SELECT 1 FROM iu_route_delivery d WHERE d.event_id = OLD.event_id) THEN
        RAISE EXCEPTION 'event % has deliveries: its event_id does not change', OLD.event_id USING ERRCODE = '23503';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER event_outbox_event_id_kept_trg BEFORE UPDATE OF event_id ON event_outbox
    FOR EACH ROW WHEN (OLD.event_id IS DISTINCT FROM NEW.event_id) EXECUTE FUNCTION fn_iu_core_delivery_event_kept();
CREATE TRIGGER iu_route_delivery_event_id_kept_trg BEFORE UPDATE OF event_id ON iu_route_delivery
    FOR EACH ROW WHEN (OLD.event_id IS DISTINCT FROM NEW.event_id) EXECUTE FUNCTION fn_iu_core_delivery_event_kept();
REVOKE EXECUTE ON FUNCTION fn_iu_core_delivery_events_held(), fn_iu_core_event_deliveries_deleted(),
    fn_iu_core_delivery_event_kept() FROM PUBLIC, ${runtime_role};
