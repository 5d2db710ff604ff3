-- Claims whose cost does not grow with the backlog (issue: the delivery cliff under ~20,000 pending).
--
-- A claim only sets the lease (locked_by, locked_until, updated_at). While locked_until was indexed
-- (iu_route_delivery_leased_idx), every claim was a non-HOT update that wrote a fresh entry into every
-- index of the table, at the head of the per-route claim index; a delivered row then left two or three
-- dead entries there, which each later claim walked (with a heap visit each) until autovacuum, whose
-- trigger grows with the table (20% of it by default): 50-100 ms per claim at 20,000 pending. Now the
-- lease columns are in no index and the in-flight bound is counted by each process, so a claim is a
-- HOT update when its page has room (fillfactor), and autovacuum runs on a fixed number of dead rows,
-- not on a share of the backlog.
DROP INDEX iu_route_delivery_leased_idx;

ALTER TABLE iu_route_delivery SET (fillfactor = 80,
                                   autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000,
                                   autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 20000);
ALTER TABLE event_outbox SET (fillfactor = 90,
                              autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000,
                              autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 20000);
