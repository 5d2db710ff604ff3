package dev.iucore.pipeline.delivery;

import dev.iucore.pipeline.outbox.RelayCommit;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.apache.camel.Exchange;

/**
 * Leases due deliveries in one statement, route by route: each route gets at most its free slots
 * ({@code iu.delivery.route-concurrency} minus what is in flight), so a slow or failing target
 * never takes every worker; a route with a {@code rate_limit_per_second} gets at most that many tries
 * per rolling second; a route whose circuit is open gets none until its probe is due, then one; on an ordered route a delivery waits while an earlier event of its aggregate is still
 * open; nothing is claimed while {@code delivery_enabled} is closed, and an outbound route only
 * while {@code delivery_live_routes} lists it. Expired leases are claimable again. This process
 * never claims more than its workers can soon take.
 */
public final class DeliveryClaimer {

    /** Set on the exchange: the claim was as large as asked, so there is probably more. */
    public static final String CLAIM_FULL = "iuClaimFull";

    static final String CLAIM = """
            WITH RECURSIVE gates AS (
                SELECT fn_iu_core_gate_open('delivery_enabled') AS delivery_open,
                       fn_iu_core_gate_list('delivery_live_routes') AS live_routes,
                       fn_iu_core_gate_open('sql_routes_enabled') AS sql_open
            ), sql_open_keys AS (
                -- the distinct route keys of open SQL deliveries, one probe of their own small index per
                -- key (a loose index scan), so an SQL route deleted with deliveries open is claimed and
                -- dead-lettered route_removed instead of waiting unseen; an outbound one is found
                -- through the live list
                (SELECT route_key FROM iu_route_delivery
                  WHERE route_kind = 'sql' AND status IN ('pending', 'retrying')
                  ORDER BY route_key LIMIT 1)
                UNION ALL
                SELECT (SELECT d.route_key FROM iu_route_delivery d
                         WHERE d.route_kind = 'sql' AND d.status IN ('pending', 'retrying')
                           AND d.route_key > o.route_key
                         ORDER BY d.route_key LIMIT 1)
                  FROM sql_open_keys o WHERE o.route_key IS NOT NULL
            ), route_keys AS (
                SELECT k.route_key, 'outbound'::text AS route_kind
                  FROM gates g CROSS JOIN unnest(g.live_routes) AS k(route_key)
                 WHERE g.delivery_open
                UNION
                SELECT s.route_key, 'sql'
                  FROM iu_sql_event_route s CROSS JOIN gates g
                 WHERE g.delivery_open AND g.sql_open
                UNION
                SELECT o.route_key, 'sql'
                  FROM sql_open_keys o CROSS JOIN gates g
                 WHERE g.delivery_open AND g.sql_open AND o.route_key IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM iu_sql_event_route s WHERE s.route_key = o.route_key)
            ), slots AS (
                SELECT k.route_key, k.route_kind, coalesce(r.ordered, false) AS ordered,
                       greatest(?, coalesce(r.connect_timeout_ms + r.read_timeout_ms + 5000, 0)) AS lease_ms,
                       CASE
                           WHEN r.route_key IS NOT NULL AND NOT r.enabled THEN 0
                           WHEN s.route_key IS NOT NULL AND NOT s.enabled THEN 0
                           WHEN c.state = 'open' AND c.next_probe_at > now() THEN 0
                           WHEN c.state = 'open' THEN 1
                           ELSE ?
                       END - (SELECT count(*) FROM iu_route_delivery busy
                               WHERE busy.route_key = k.route_key AND busy.status IN ('pending', 'retrying')
                                 AND busy.locked_until IS NOT NULL AND busy.locked_until > now()) AS free,
                       -- a rate limit allows ceil(rate) tries per rolling second, in flight included
                       CASE WHEN r.rate_limit_per_second IS NULL THEN NULL
                            ELSE ceil(r.rate_limit_per_second)::int
                                 - (SELECT count(*) FROM iu_route_attempt recent
                                      JOIN iu_route_delivery rd ON rd.id = recent.delivery_id
                                     WHERE rd.route_key = k.route_key AND recent.attempted_at > now() - interval '1 second')
                                 - (SELECT count(*) FROM iu_route_delivery busy
                                     WHERE busy.route_key = k.route_key AND busy.status IN ('pending', 'retrying')
                                       AND busy.locked_until IS NOT NULL AND busy.locked_until > now())
                       END AS rate_free
                  FROM route_keys k
                  LEFT JOIN iu_outbound_route r ON k.route_kind = 'outbound' AND r.route_key = k.route_key
                  LEFT JOIN iu_sql_event_route s ON k.route_kind = 'sql' AND s.route_key = k.route_key
                  LEFT JOIN iu_route_circuit c ON c.route_key = k.route_key
            ), due AS (
                SELECT d.id, d.next_attempt_at, slots.lease_ms
                  FROM slots
                 CROSS JOIN LATERAL (
                       SELECT d.id, d.next_attempt_at
                         FROM iu_route_delivery d
                        WHERE d.route_key = slots.route_key AND d.route_kind = slots.route_kind
                          AND d.status IN ('pending', 'retrying')
                          AND d.next_attempt_at <= now()
                          AND (d.locked_until IS NULL OR d.locked_until <= now())
                          AND (NOT slots.ordered OR NOT EXISTS (
                                   SELECT 1 FROM iu_route_delivery earlier
                                    WHERE earlier.route_key = d.route_key AND earlier.aggregate_id = d.aggregate_id
                                      AND earlier.outbox_id < d.outbox_id
                                      AND earlier.status IN ('pending', 'retrying')))
                        ORDER BY d.next_attempt_at, d.id
                        LIMIT greatest(least(slots.free, coalesce(slots.rate_free, slots.free)), 0)
                          FOR UPDATE OF d SKIP LOCKED) d
            ), chosen AS (
                SELECT id, lease_ms FROM due ORDER BY next_attempt_at, id LIMIT ?
            ), claimed AS (
                -- by an id array, not a join with chosen: the server-side prepared statement soon runs a
                -- generic plan, which cannot see the LIMIT above and joined by a sequential scan of every
                -- delivery (0.1 s at 300,000 rows, the delivery stall under a backlog in BENCHMARKS.md)
                UPDATE iu_route_delivery d
                   SET locked_by = ?,
                       locked_until = now() + (SELECT c.lease_ms FROM chosen c WHERE c.id = d.id) * interval '1 millisecond',
                       updated_at = now()
                 WHERE d.id = ANY (ARRAY(SELECT id FROM chosen))
                RETURNING d.id, d.event_id, d.route_kind, d.route_key, d.attempts, d.aggregate_id
            )
            SELECT c.id, c.event_id, e.event_type, c.aggregate_id, e.payload::text, c.route_kind, c.route_key,
                   c.attempts, coalesce(r.route_key, s.route_key) IS NOT NULL AS route_exists,
                   r.target_uri, r.secret_ref, r.connect_timeout_ms, r.read_timeout_ms,
                   coalesce(r.max_attempts, s.max_attempts, 1), coalesce(r.backoff_initial_ms, s.backoff_initial_ms, 1000),
                   coalesce(r.backoff_factor, s.backoff_factor, 2), coalesce(r.backoff_max_ms, s.backoff_max_ms, 1000),
                   r.circuit_failure_threshold, r.circuit_open_ms, s.action
              FROM claimed c
              JOIN event_outbox e ON e.event_id = c.event_id
              LEFT JOIN iu_outbound_route r ON c.route_kind = 'outbound' AND r.route_key = c.route_key
              LEFT JOIN iu_sql_event_route s ON c.route_kind = 'sql' AND s.route_key = c.route_key
             ORDER BY c.id""";

    static final String RELEASE = """
            UPDATE iu_route_delivery SET locked_by = NULL, locked_until = NULL, updated_at = now()
             WHERE id = ANY (?) AND locked_by = ? AND status IN ('pending', 'retrying')""";

    private final DataSource dataSource;
    private final String node;
    private final int batchSize;
    private final int routeConcurrency;
    private final long leaseMs;
    private final int capacity;
    /** Set on the exchange by {@link #release}: enough has finished that a claim is worth its cost. */
    public static final String CLAIM_NOW = "iuClaimNow";

    /** Claimed by this process and not finished: released at shutdown instead of waiting out their lease. */
    private final Set<Long> unfinished = ConcurrentHashMap.newKeySet();
    /** Unfinished claims per route, to wake the claimer once half a route's slots are free again. */
    private final Map<String, AtomicInteger> unfinishedByRoute = new ConcurrentHashMap<>();

    public DeliveryClaimer(DataSource dataSource, String node, int batchSize, int routeConcurrency, long leaseMs,
                           int workers) {
        this.dataSource = dataSource;
        this.node = node;
        this.batchSize = batchSize;
        this.routeConcurrency = routeConcurrency;
        this.leaseMs = leaseMs;
        // a little more than the workers, so the next attempts wait in the queue, not in the database
        this.capacity = workers * 2;
    }

    /** The route's step: leases what the workers can take now; nothing once the service is stopping. */
    public List<DeliveryTask> claim(Exchange exchange) throws SQLException {
        int wanted = Math.min(batchSize, capacity - unfinished.size());
        if (wanted <= 0 || exchange.getContext().isStopping()) {
            exchange.setProperty(CLAIM_FULL, false);
            return List.of();
        }
        List<DeliveryTask> tasks;
        try (Connection connection = dataSource.getConnection()) {
            RelayCommit.begin(connection);
            tasks = claim(connection, wanted);
            connection.commit();
        }
        tasks.forEach(task -> {
            unfinished.add(task.deliveryId());
            unfinishedByRoute.computeIfAbsent(task.routeKey(), k -> new AtomicInteger()).incrementAndGet();
        });
        exchange.setProperty(CLAIM_FULL, tasks.size() == wanted);
        return tasks;
    }

    /**
     * A worker finished with one claimed delivery, however it ended. Claiming again right away
     * would take one slot per claim; waiting until half the route's slots (or half this process's
     * capacity) are free lets each claim take several, the poll floor covering the rest.
     */
    public void release(Exchange exchange) {
        DeliveryTask task = exchange.getProperty(DeliveryTask.PROPERTY, DeliveryTask.class);
        boolean claimNow = true;
        if (task != null && unfinished.remove(task.deliveryId())) {
            int routeLeft = unfinishedByRoute.get(task.routeKey()).decrementAndGet();
            claimNow = routeLeft <= routeConcurrency / 2 || unfinished.size() <= capacity / 2;
        }
        exchange.setProperty(CLAIM_NOW, claimNow);
    }

    /**
     * At shutdown: hands back the leases of deliveries claimed but never started, so another
     * relay (or this one, restarted) takes them at once rather than after the lease expires.
     */
    public int releaseUnfinished() throws SQLException {
        if (unfinished.isEmpty()) {
            return 0;
        }
        try (Connection connection = dataSource.getConnection();
             PreparedStatement ps = connection.prepareStatement(RELEASE)) {
            ps.setArray(1, connection.createArrayOf("bigint", unfinished.toArray()));
            ps.setString(2, node);
            int released = ps.executeUpdate();
            unfinished.clear();
            unfinishedByRoute.clear();
            return released;
        }
    }

    public List<DeliveryTask> claim(Connection connection, int limit) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(CLAIM)) {
            ps.setLong(1, leaseMs);
            ps.setInt(2, routeConcurrency);
            ps.setInt(3, limit);
            ps.setString(4, node);
            try (ResultSet rs = ps.executeQuery()) {
                List<DeliveryTask> tasks = new ArrayList<>();
                while (rs.next()) {
                    tasks.add(new DeliveryTask(rs.getLong(1), rs.getObject(2, UUID.class), rs.getString(3),
                            rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getInt(8),
                            rs.getBoolean(9), rs.getString(10), rs.getString(11), (Integer) rs.getObject(12),
                            (Integer) rs.getObject(13), rs.getInt(14), rs.getInt(15), rs.getBigDecimal(16),
                            rs.getInt(17), (Integer) rs.getObject(18), (Integer) rs.getObject(19), rs.getString(20)));
                }
                return tasks;
            }
        }
    }
}
