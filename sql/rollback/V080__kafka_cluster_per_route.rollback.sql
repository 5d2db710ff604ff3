-- Routes on a named cluster then publish to the default cluster: move or disable them first.
ALTER TABLE iu_outbound_route DROP COLUMN kafka_cluster;
