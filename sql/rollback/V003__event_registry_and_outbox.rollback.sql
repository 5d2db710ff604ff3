DROP TRIGGER IF EXISTS event_outbox_notify_trg ON event_outbox;
DROP FUNCTION IF EXISTS fn_event_outbox_notify();
DROP TABLE IF EXISTS event_outbox;
DROP TABLE IF EXISTS event_type_registry;
