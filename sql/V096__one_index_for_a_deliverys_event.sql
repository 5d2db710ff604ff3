-- One index for a delivery's event, not two (issue 10: fewer index writes per delivery).
--
-- Every delivery row was written into two indexes that lead with its event_id, a random uuid, so each
-- entry lands on a page of its own: the unique (event_id, route_key) of original deliveries and the
-- plain (event_id) that the event's foreign key (its ON DELETE CASCADE), retention and the by-event
-- lookups need, as a partial index serves none of them. Both were written twice per delivery (its
-- insert, and the non-HOT update that ends it). One unique index over every row does both jobs: an
-- original delivery (replay_of NULL) counts as 0, so an event x route has one original as before,
-- and a replay is unique per delivery it replays (a dead delivery has one dead letter, replayed once).
-- On a loop of 100,000 deliveries created and ended, the table's writes took 0.94 x the time and its
-- indexes 28 MB instead of 33 MB (BENCHMARKS.md).
CREATE UNIQUE INDEX iu_route_delivery_event_route_replay_uq
    ON iu_route_delivery (event_id, route_key, (coalesce(replay_of, 0)));
DROP INDEX iu_route_delivery_event_route_uq;
DROP INDEX iu_route_delivery_event_idx;
