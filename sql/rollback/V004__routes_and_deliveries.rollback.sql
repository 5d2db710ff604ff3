DROP TABLE IF EXISTS iu_route_circuit;
DROP TABLE IF EXISTS iu_route_dead_letter;
DROP TABLE IF EXISTS iu_route_attempt;
DROP TABLE IF EXISTS iu_route_delivery;
DROP TABLE IF EXISTS iu_sql_event_route;
DROP TABLE IF EXISTS iu_sql_action;
DROP TABLE IF EXISTS iu_outbound_route;
