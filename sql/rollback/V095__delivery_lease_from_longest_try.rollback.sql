DROP FUNCTION fn_iu_core_lease_left_ms(timestamptz);
DROP FUNCTION fn_iu_core_delivery_route(text, text, bigint, bigint);

-- V092's function, as it was
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
