-- The delivery claim finds the route keys of open SQL-route deliveries by a loose index scan, so
-- the deliveries of an SQL route deleted while they were open are dead-lettered route_removed
-- instead of waiting unseen. Only SQL deliveries are in this index: the scan never walks the
-- (much busier) outbound deliveries.
CREATE INDEX iu_route_delivery_sql_open_idx ON iu_route_delivery (route_key)
    WHERE route_kind = 'sql' AND status IN ('pending', 'retrying');
