-- What a delivery handed to the workers carries of its route (DeliveryTask): its target, timeouts,
-- retry and circuit policy, SQL action, Kafka cluster and ordering, as the row is now. Both
-- statements that hand deliveries to the workers read it: the delivery claim (claim.sql) and the
-- dispatcher's lease of the deliveries it creates (create-deliveries.sql). route_exists false: the
-- route row is gone, and the delivery is dead-lettered route_removed. A single SELECT in SQL, so
-- PostgreSQL inlines it into the calling statement (one index probe per route table).
CREATE FUNCTION fn_iu_core_delivery_route(p_route_kind text, p_route_key text)
RETURNS TABLE (route_exists boolean, target_uri text, secret_ref text, connect_timeout_ms integer,
               read_timeout_ms integer, max_attempts integer, backoff_initial_ms integer, backoff_factor numeric,
               backoff_max_ms integer, circuit_failure_threshold integer, circuit_open_ms integer, action text,
               kafka_cluster text, ordered boolean)
LANGUAGE sql STABLE AS $$
    SELECT coalesce(r.route_key, s.route_key) IS NOT NULL,
           r.target_uri, r.secret_ref, r.connect_timeout_ms, r.read_timeout_ms,
           coalesce(r.max_attempts, s.max_attempts, 1),
           coalesce(r.backoff_initial_ms, s.backoff_initial_ms, 1000),
           coalesce(r.backoff_factor, s.backoff_factor, 2),
           coalesce(r.backoff_max_ms, s.backoff_max_ms, 1000),
           r.circuit_failure_threshold, r.circuit_open_ms, s.action, r.kafka_cluster,
           coalesce(r.ordered, false)
      FROM (SELECT) AS one
      LEFT JOIN iu_outbound_route r ON p_route_kind = 'outbound' AND r.route_key = p_route_key
      LEFT JOIN iu_sql_event_route s ON p_route_kind = 'sql' AND s.route_key = p_route_key
$$;
