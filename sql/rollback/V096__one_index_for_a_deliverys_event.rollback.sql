-- V004's unique index of original deliveries and V010's index of a delivery's event, as they were
CREATE UNIQUE INDEX iu_route_delivery_event_route_uq ON iu_route_delivery (event_id, route_key) WHERE replay_of IS NULL;
CREATE INDEX iu_route_delivery_event_idx ON iu_route_delivery (event_id);
DROP INDEX iu_route_delivery_event_route_replay_uq;
