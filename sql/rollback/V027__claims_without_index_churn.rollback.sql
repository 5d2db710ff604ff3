ALTER TABLE event_outbox RESET (fillfactor, autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold,
                                autovacuum_vacuum_insert_scale_factor, autovacuum_vacuum_insert_threshold);
ALTER TABLE iu_route_delivery RESET (fillfactor, autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold,
                                     autovacuum_vacuum_insert_scale_factor, autovacuum_vacuum_insert_threshold);
CREATE INDEX iu_route_delivery_leased_idx ON iu_route_delivery (route_key, locked_until)
    WHERE locked_until IS NOT NULL AND status IN ('pending', 'retrying');
