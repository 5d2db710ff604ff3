DROP INDEX IF EXISTS iu_route_delivery_sql_open_idx;
