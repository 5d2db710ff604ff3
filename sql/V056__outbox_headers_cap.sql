-- An event's headers now go out with its deliveries (webhook and Kafka headers, issue 12 item 8), and
-- every claim loads them beside the payload. So they are what a header set can be: a JSON object, of
-- at most 64 KiB as text (the relay's memory stays bounded, as the payload cap keeps it). Refused at
-- insert, in the producer's transaction, naming this constraint. NOT VALID: rows already there are
-- not re-read (a long lock on a large outbox); every new or changed row is checked.
ALTER TABLE event_outbox ADD CONSTRAINT event_outbox_headers_object_at_most_64_kib
    CHECK (jsonb_typeof(headers) = 'object' AND octet_length(headers::text) <= 65536) NOT VALID;
