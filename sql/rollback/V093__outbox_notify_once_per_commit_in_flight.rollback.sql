DROP TRIGGER IF EXISTS event_outbox_notify_trg ON event_outbox;
CREATE OR REPLACE FUNCTION fn_event_outbox_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('iu_core_outbox', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER event_outbox_notify_trg
    AFTER INSERT ON event_outbox
    FOR EACH STATEMENT EXECUTE FUNCTION fn_event_outbox_notify();
