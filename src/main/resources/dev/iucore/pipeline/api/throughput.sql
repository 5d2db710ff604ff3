-- Delivered, retried and dead-lettered per minute over the last :minutes minutes, oldest first, one
-- row per minute (zeros included), from the attempt log and the dead letters (both indexed by time).
-- Each dead letter of an attempted delivery ends its last failed attempt, so the failed attempts less
-- the dead letters of a minute are the ones that were retried.
WITH minutes AS (
    SELECT generate_series(date_trunc('minute', now()) - make_interval(mins => :minutes - 1),
                           date_trunc('minute', now()), interval '1 minute') AS minute
), attempts AS (
    SELECT date_trunc('minute', attempted_at) AS minute,
           count(*) FILTER (WHERE outcome = 'delivered') AS delivered,
           count(*) FILTER (WHERE outcome <> 'delivered') AS failed
    FROM iu_route_attempt
    WHERE attempted_at >= date_trunc('minute', now()) - make_interval(mins => :minutes - 1)
    GROUP BY 1
), dead AS (
    SELECT date_trunc('minute', dead_at) AS minute, count(*) AS dead_lettered
    FROM iu_route_dead_letter
    WHERE dead_at >= date_trunc('minute', now()) - make_interval(mins => :minutes - 1)
    GROUP BY 1
)
SELECT jsonb_agg(jsonb_build_object(
           'minute', m.minute,
           'delivered', coalesce(a.delivered, 0),
           'retried', greatest(coalesce(a.failed, 0) - coalesce(d.dead_lettered, 0), 0),
           'dead_lettered', coalesce(d.dead_lettered, 0)) ORDER BY m.minute)::text
FROM minutes m
LEFT JOIN attempts a ON a.minute = m.minute
LEFT JOIN dead d ON d.minute = m.minute
