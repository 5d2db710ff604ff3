-- The insert trigger (V003) sent pg_notify from every transaction that inserted events. PostgreSQL
-- serialises the commits of all notifying transactions on one cluster-wide lock, held through each
-- commit's WAL flush, so the trigger capped the application's own commits: 16 sessions inserting
-- one event a transaction committed 1,724 transactions/s with it, 5,350/s without (2 cores, fsync on,
-- 2026-12-02; OutboxInsertBenchmark in BENCHMARKS.md), and the relay benchmark's producers waited up
-- to 79 ms for it.
--
-- Now a transaction that inserted events notifies at its commit (a deferred trigger, queued once per
-- transaction), and only if no other transaction is notifying at that moment: a try lock, never a
-- wait. One notification per moment is enough: the relay's pass after it claims every event
-- committed by then, and a transaction that skipped is one flush behind the one that notified. Should
-- its commit land after that pass's claim anyway, the next notification or the relay's poll floor
-- (iu.relay.poll-interval-ms) takes its events. (A producer that runs SET CONSTRAINTS ALL IMMEDIATE
-- fires it at its insert instead, and holds the try lock until it commits: others skip meanwhile.)

-- (the advisory key is an arbitrary constant, used for nothing else; retention's is 4242010001)
CREATE OR REPLACE FUNCTION fn_event_outbox_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF pg_try_advisory_xact_lock(4242010002) THEN
        PERFORM pg_notify('iu_core_outbox', '');
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER event_outbox_notify_trg ON event_outbox;
CREATE CONSTRAINT TRIGGER event_outbox_notify_trg
    AFTER INSERT ON event_outbox
    DEFERRABLE INITIALLY DEFERRED
    -- queued for a transaction's first inserted row only: the WHEN of a deferred trigger is evaluated as
    -- each row is inserted, so a large insert queues one call, not one per row (a savepoint rolled back
    -- takes its flag and its queued call with it). Built-ins, not a function: evaluated per row.
    FOR EACH ROW
    WHEN (current_setting('iu_core.outbox_notify_queued', true) IS DISTINCT FROM 'on'
          AND set_config('iu_core.outbox_notify_queued', 'on', true) = 'on')
    EXECUTE FUNCTION fn_event_outbox_notify();
