-- Records a group of finished tries in one statement (parallel arrays, one element per try): each
-- delivery's new state, only while this process still holds its lease and nobody recorded in
-- between (the attempts it was claimed with); its attempt row; and for a success on a route whose
-- circuit is not closed yet, the circuit closes. A plain UPDATE whose WHERE fails locks nothing, so
-- the successes of a healthy route never queue on its circuit row. Returns the deliveries recorded:
-- one missing from it was reclaimed by another relay, whose try is the one that counts.
-- :node  this process, the lease holder
WITH tried AS (
    SELECT *
      FROM unnest(CAST(:delivery_ids AS bigint[]), CAST(:attempts_before AS int[]), CAST(:statuses AS text[]),
                  CAST(:delays_ms AS bigint[]), CAST(:outcomes AS text[]), CAST(:http_statuses AS int[]),
                  CAST(:error_classes AS text[]), CAST(:error_texts AS text[]), CAST(:latencies_ms AS bigint[]),
                  CAST(:close_circuits AS boolean[]))
           AS t(delivery_id, attempts_before, status, delay_ms, outcome, http_status, error_class, error_text,
                latency_ms, close_circuit)
), delivery AS (
    UPDATE iu_route_delivery d
       SET attempts = t.attempts_before + 1, status = t.status,
           next_attempt_at = now() + t.delay_ms * interval '1 millisecond',
           locked_by = NULL, locked_until = NULL,
           last_error = CASE WHEN t.status = 'delivered' THEN NULL ELSE t.error_text END, updated_at = now(),
           delivered_at = CASE WHEN t.status = 'delivered' THEN now() END
      FROM tried t
     -- the ids as an array too, an index condition: joined with tried alone, a plan made while the
     -- tables were empty walked the whole delivery index for each group (DeliveryRecorderTest)
     WHERE d.id = ANY (CAST(:delivery_ids AS bigint[]))
       AND d.id = t.delivery_id AND d.locked_by = :node AND d.attempts = t.attempts_before
    RETURNING d.id, d.route_key
), attempt AS (
    INSERT INTO iu_route_attempt (delivery_id, attempt_no, outcome, http_status, error_class, error_text, latency_ms, node)
    SELECT t.delivery_id, t.attempts_before + 1, t.outcome, t.http_status, t.error_class, t.error_text, t.latency_ms, :node
      FROM tried t
      JOIN delivery d ON d.id = t.delivery_id
), circuit AS (
    UPDATE iu_route_circuit c
       SET state = 'closed', consecutive_failures = 0, opened_at = NULL, next_probe_at = NULL, updated_at = now()
     WHERE c.route_key IN (SELECT d.route_key FROM delivery d JOIN tried t ON t.delivery_id = d.id WHERE t.close_circuit)
       AND (c.state <> 'closed' OR c.consecutive_failures > 0)
)
SELECT id FROM delivery
