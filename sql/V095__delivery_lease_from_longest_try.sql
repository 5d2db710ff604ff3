-- A delivery's lease covers its longest try, whatever its target. Until now both statements that
-- lease deliveries (the delivery claim, claim.sql, and the dispatcher's lease, create-deliveries.sql)
-- sized it from the route's connect + read timeout, each in its own copy of the formula. A Kafka try
-- waits for the producer's bound instead (1.5 x iu.kafka.delivery-timeout-ms + 1 s, KafkaProducers):
-- with a lease floor below that, a lease could run out under a try still waiting for its broker, and
-- another relay send the record again. Now the function that says what a delivery carries of its
-- route (V092) also says, once, how long one try of it may take and what it is leased for:
--   longest_try_ms  a Kafka target (its URI as V080's check reads it): p_kafka_try_ms; any other with
--                   both timeouts: connect + read (a webhook's deadline, body included); else 0
--   lease_ms        at least p_lease_floor_ms, and a try's worth + 5 s for the record and the wait
--                   in the workers' queue; a route without a try bound (an SQL action) the floor
-- The worker that takes a leased delivery checks the same longest_try_ms against what is left of its
-- lease (DeliveryClaimer.handBack), which fn_iu_core_lease_left_ms says on the database's clock.
DROP FUNCTION fn_iu_core_delivery_route(text, text);

CREATE FUNCTION fn_iu_core_delivery_route(p_route_kind text, p_route_key text, p_lease_floor_ms bigint,
                                          p_kafka_try_ms bigint)
RETURNS TABLE (route_exists boolean, target_uri text, secret_ref text, connect_timeout_ms integer,
               read_timeout_ms integer, max_attempts integer, backoff_initial_ms integer, backoff_factor numeric,
               backoff_max_ms integer, circuit_failure_threshold integer, circuit_open_ms integer, action text,
               kafka_cluster text, ordered boolean, longest_try_ms bigint, lease_ms bigint)
LANGUAGE sql STABLE AS $$
    SELECT coalesce(r.route_key, s.route_key) IS NOT NULL,
           r.target_uri, r.secret_ref, r.connect_timeout_ms, r.read_timeout_ms,
           coalesce(r.max_attempts, s.max_attempts, 1),
           coalesce(r.backoff_initial_ms, s.backoff_initial_ms, 1000),
           coalesce(r.backoff_factor, s.backoff_factor, 2),
           coalesce(r.backoff_max_ms, s.backoff_max_ms, 1000),
           r.circuit_failure_threshold, r.circuit_open_ms, s.action, r.kafka_cluster,
           coalesce(r.ordered, false),
           t.longest_try_ms,
           greatest(p_lease_floor_ms, CASE WHEN t.longest_try_ms > 0 THEN t.longest_try_ms + 5000 ELSE 0 END)
      FROM (SELECT) AS one
      LEFT JOIN iu_outbound_route r ON p_route_kind = 'outbound' AND r.route_key = p_route_key
      LEFT JOIN iu_sql_event_route s ON p_route_kind = 'sql' AND s.route_key = p_route_key
     CROSS JOIN LATERAL (
           SELECT CASE WHEN r.target_uri ~* '^\s*kafka:' THEN p_kafka_try_ms
                       ELSE coalesce(CAST(r.connect_timeout_ms AS bigint) + r.read_timeout_ms, 0)
                  END AS longest_try_ms) t
$$;

-- What is left of a lease now, in ms, on the database's clock (negative once it ran out): returned
-- with each leased delivery, a duration, so the worker's clock need not agree with the database's.
CREATE FUNCTION fn_iu_core_lease_left_ms(p_locked_until timestamptz)
RETURNS bigint
LANGUAGE sql VOLATILE AS $$
    SELECT CAST(extract(epoch FROM p_locked_until - clock_timestamp()) * 1000 AS bigint)
$$;
