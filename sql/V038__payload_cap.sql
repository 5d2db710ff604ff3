-- An event's payload is at most 16 MiB of JSON text. Without a cap a few large events in one claimed
-- batch could exhaust the relay's heap (and with ExitOnOutOfMemoryError restart it in a loop); with it,
-- and with claims bounded by bytes (iu.delivery.batch-bytes), the relay's memory is bounded. A 10 MB
-- event is still delivered. NOT VALID: rows already there are not re-read (a long lock on a large
-- outbox); every new or changed row is checked, and the error names this constraint.
ALTER TABLE event_outbox ADD CONSTRAINT event_outbox_payload_at_most_16_mib
    CHECK (octet_length(payload::text) <= 16777216) NOT VALID;
