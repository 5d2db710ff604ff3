ALTER TABLE iu_route_delivery SET (fillfactor = 80);
