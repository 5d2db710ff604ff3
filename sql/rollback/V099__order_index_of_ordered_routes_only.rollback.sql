-- The order index of every open delivery, as V004 made it, and no unordered column, lock or trigger
DROP TRIGGER iu_outbound_route_set_ordered_trg ON iu_outbound_route;
DROP TRIGGER iu_outbound_route_created_ordered_trg ON iu_outbound_route;
DROP FUNCTION fn_iu_core_route_made_ordered();
DROP FUNCTION fn_iu_core_route_order_lock(boolean);
DROP INDEX iu_route_delivery_order_idx;
CREATE INDEX iu_route_delivery_order_idx ON iu_route_delivery (route_key, aggregate_id, outbox_id)
    WHERE status IN ('pending', 'retrying');
ALTER TABLE iu_route_delivery DROP COLUMN unordered;
