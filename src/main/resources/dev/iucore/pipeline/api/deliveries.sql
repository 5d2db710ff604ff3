-- Deliveries by event, aggregate, route, status and creation time, newest first, each with every
-- attempt (outcome, HTTP status, error, latency, node). Error texts are the relay's bounded excerpts.
SELECT coalesce(jsonb_agg(to_jsonb(d) ORDER BY d.created_at DESC, d.id DESC), '[]'::jsonb)::text
FROM (
    SELECT d.id, d.event_id, o.event_type, d.aggregate_id, d.route_key, d.route_kind, d.status, d.attempts,
           d.next_attempt_at, d.delivered_at, d.last_error, d.replay_of, d.created_at, d.updated_at,
           (SELECT coalesce(jsonb_agg(jsonb_build_object(
                       'attempt_no', a.attempt_no, 'attempted_at', a.attempted_at, 'outcome', a.outcome,
                       'http_status', a.http_status, 'error_class', a.error_class, 'error_text', a.error_text,
                       'latency_ms', a.latency_ms, 'node', a.node) ORDER BY a.attempt_no), '[]'::jsonb)
            FROM iu_route_attempt a WHERE a.delivery_id = d.id) AS attempt_log
    FROM iu_route_delivery d
    LEFT JOIN event_outbox o ON o.id = d.outbox_id
    WHERE (:id::bigint IS NULL OR d.id = :id::bigint)
      AND (:event_id::uuid IS NULL OR d.outbox_id = (SELECT e.id FROM event_outbox e WHERE e.event_id = :event_id::uuid))
      AND (:aggregate_id::text IS NULL OR d.aggregate_id = :aggregate_id::text)
      AND (:route::text IS NULL OR d.route_key = :route::text)
      AND (:status::text IS NULL OR d.status = :status::text)
      AND (:since::timestamptz IS NULL OR d.created_at >= :since::timestamptz)
      AND (:until::timestamptz IS NULL OR d.created_at < :until::timestamptz)
    ORDER BY d.created_at DESC, d.id DESC
    LIMIT :limit
) d
