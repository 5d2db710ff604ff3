-- V004's foreign key of a delivery's event, as it was, instead of the checks once a statement
DROP TRIGGER iu_route_delivery_event_id_kept_trg ON iu_route_delivery;
DROP TRIGGER event_outbox_event_id_kept_trg ON event_outbox;
DROP FUNCTION fn_iu_core_delivery_event_kept();
DROP TRIGGER event_outbox_deliveries_truncated_trg ON event_outbox;
DROP TRIGGER event_outbox_deliveries_deleted_trg ON event_outbox;
DROP FUNCTION fn_iu_core_event_deliveries_deleted();
DROP TRIGGER iu_route_delivery_events_held_trg ON iu_route_delivery;
DROP FUNCTION fn_iu_core_delivery_events_held();
ALTER TABLE iu_route_delivery ADD CONSTRAINT iu_route_delivery_event_id_fkey
    FOREIGN KEY (event_id) REFERENCES event_outbox (event_id) ON DELETE CASCADE;
