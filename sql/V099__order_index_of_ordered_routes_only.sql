-- Only what an ordered route needs in the per-aggregate order index (issue 10: less database work per
-- dispatched event).
--
-- iu_route_delivery_order_idx (route_key, aggregate_id, outbox_id) answers one question, the delivery
-- claim's on an ordered route: is this the first open delivery of its aggregate? Yet every delivery
-- created wrote an entry into it at the place of its aggregate, a random page of an index as large as
-- the open deliveries. Without those entries the log-route dispatch ran 1.12 x as fast (six pairs side
-- by side, BENCHMARKS.md, 2026-12-06). A delivery now says whether it was created for a route that was
-- not ordered (unordered), and the index leaves those out:
--   * the dispatcher sets unordered as its batch's statement reads the route; every other writer
--     (a replay, a backfill, a relay of an older build) leaves the default, false: in the index, which
--     is always safe;
--   * a route made ordered (created so, or set so) brings its open deliveries into the index in the
--     same transaction, first taking the route-order lock exclusively;
--   * every dispatch batch holds that lock shared from before its claim to its end
--     (OrderedDispatch.awaitTurn). So a route made ordered waits for the batches that may have read it
--     unordered, then brings their deliveries in too, and the batches after it read it ordered.
ALTER TABLE iu_route_delivery ADD COLUMN unordered boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN iu_route_delivery.unordered IS
    'created by a dispatch batch for a route that was not ordered, and the route not made ordered since: '
    'out of the per-aggregate order index (V099)';

DROP INDEX iu_route_delivery_order_idx;
CREATE INDEX iu_route_delivery_order_idx ON iu_route_delivery (route_key, aggregate_id, outbox_id)
    WHERE NOT unordered AND status IN ('pending', 'retrying');

-- The route-order lock, transaction-scoped: shared by a dispatch batch, exclusive while a route is
-- made ordered. Its key, "iu-orc", is no other advisory lock's (OrderedDispatch.LOCK is "iu-ord").
CREATE FUNCTION fn_iu_core_route_order_lock(p_exclusive boolean) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF p_exclusive THEN
        PERFORM pg_advisory_xact_lock(x'69752d6f7263'::bigint);
    ELSE
        PERFORM pg_advisory_xact_lock_shared(x'69752d6f7263'::bigint);
    END IF;
END
$$;

CREATE FUNCTION fn_iu_core_route_made_ordered() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM fn_iu_core_route_order_lock(true);
    -- a statement of its own, so it sees what the batches it waited for committed
    UPDATE iu_route_delivery d SET unordered = false
     WHERE d.route_kind = 'outbound' AND d.route_key = NEW.route_key AND d.unordered
       AND d.status IN ('pending', 'retrying');
    RETURN NULL;
END
$$;
CREATE TRIGGER iu_outbound_route_created_ordered_trg AFTER INSERT ON iu_outbound_route
    FOR EACH ROW WHEN (NEW.ordered) EXECUTE FUNCTION fn_iu_core_route_made_ordered();
CREATE TRIGGER iu_outbound_route_set_ordered_trg AFTER UPDATE OF ordered ON iu_outbound_route
    FOR EACH ROW WHEN (NEW.ordered AND NOT OLD.ordered) EXECUTE FUNCTION fn_iu_core_route_made_ordered();
REVOKE EXECUTE ON FUNCTION fn_iu_core_route_made_ordered() FROM PUBLIC, ${runtime_role};
