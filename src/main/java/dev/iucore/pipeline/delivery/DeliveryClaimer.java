package dev.iucore.pipeline.delivery;

import dev.iucore.pipeline.db.NamedSql;
import dev.iucore.pipeline.metrics.PipelineMetrics;
import dev.iucore.pipeline.relay.RelayCommit;
import dev.iucore.pipeline.relay.RelayTransaction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;
import javax.sql.DataSource;
import org.apache.camel.Body;
import org.apache.camel.CamelContext;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leases due deliveries in one statement ({@code claim.sql}), route by route: each route gets at
 * most its free slots in this process (its window, {@link RouteWindows}, minus what this process
 * has in flight on it), so a slow or failing target never takes every worker; a route with a
 * {@code rate_limit_per_second} gets at most that many tries per rolling second; a route whose
 * circuit is open gets none until its probe is due, then one; on an ordered route a delivery waits
 * while an earlier event of its aggregate is still open; nothing is claimed while
 * {@code delivery_enabled} is closed, and an outbound route only while {@code delivery_live_routes}
 * lists it. Expired leases are claimable again. This process never claims more than its workers can
 * soon take. The in-flight bound is counted here, not in the database, so a claim reads only the
 * head of each route's due index, whatever the backlog. The dispatcher leases the deliveries it
 * creates itself, within the same bound ({@link #handOver}), so at a trickle a new delivery goes to
 * the workers when its batch commits, without a claim of its own.
 */
public final class DeliveryClaimer implements DeliveryHandOff {

    private static final NamedSql CLAIM = NamedSql.load(DeliveryClaimer.class, "claim.sql");

    /**
     * How long the dispatcher's lease waits for a claim counting slots (a claim takes a few ms): without
     * waiting, every batch that met a claim left its deliveries to the next one.
     */
    static final long HAND_OVER_WAIT_MS = 50;
    /** Claimed and unfinished tries a worker may have ({@link #capacity}); the workers' queue must take them all (delivery.yaml). */
    public static final int TASKS_PER_WORKER = 16;

    /**
     * What a try must leave of its lease for its record: a group commit takes milliseconds, and the
     * lease was sized with 5 s beside the try (V095), the rest for the wait in the workers' queue.
     */
    static final long RECORD_MS = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryClaimer.class);

    /**
     * Whether any open delivery is due and unleased: every delivery a claim could take is one, whatever
     * the gates, windows and circuits then say (claim.sql's due deliveries, the same three conditions). A few index entries at a trickle; it stops at the first.
     */
    static final String ANY_CLAIMABLE = """
            SELECT EXISTS (SELECT 1 FROM iu_route_delivery d
                            WHERE d.status IN ('pending', 'retrying') AND d.next_attempt_at <= now()
                              AND (d.locked_until IS NULL OR d.locked_until <= now()))""";

    static final String RELEASE = """
            UPDATE iu_route_delivery SET locked_by = NULL, locked_until = NULL, updated_at = now()
             WHERE id = ANY (?) AND locked_by = ? AND status IN ('pending', 'retrying')""";

    private final DataSource dataSource;
    private final String node;
    private final int batchSize;
    private final long batchBytes;
    private final RouteWindows windows;
    private final long leaseMs;
    private final long kafkaTryMs;
    private final IntSupplier workers;
    private final PipelineMetrics metrics;
    /**
     * Claimed by this process and not finished, each with the task of its newest lease: released at
     * shutdown instead of waiting out their lease.
     */
    private final Map<Long, DeliveryTask> unfinished = new ConcurrentHashMap<>();
    /** Unfinished claims per route, to wake the claimer once half a route's slots are free again. */
    private final Map<String, AtomicInteger> unfinishedByRoute = new ConcurrentHashMap<>();
    /** What the last claim saw ({@link Backlog}): whether a finished try is worth a claim. */
    private volatile Backlog backlog = Backlog.NONE;
    /** Ordered routes seen in claims: a finished try may free the next event of its aggregate. */
    private final Set<String> orderedRoutes = ConcurrentHashMap.newKeySet();
    /** Held while a claim or the dispatcher's lease counts free slots and takes them: one at a time. */
    private final ReentrantLock counting = new ReentrantLock();
    /** A committed dispatch batch left new deliveries for a claim since the last drain asked. */
    private final AtomicBoolean claimWanted = new AtomicBoolean();

    /**
     * @param leaseMs    the lease floor ({@code iu.delivery.lease-ms})
     * @param kafkaTryMs how long a Kafka try may wait for its broker ({@code KafkaProducers.sendBound}):
     *                   a Kafka delivery's lease covers it, as a webhook's covers its timeouts (V095)
     * @param metrics    where each route's in-flight count and window show ({@link PipelineMetrics#deliverySlots})
     */
    public DeliveryClaimer(DataSource dataSource, String node, int batchSize, long batchBytes, RouteWindows windows,
                           long leaseMs, long kafkaTryMs, IntSupplier workers, PipelineMetrics metrics) {
        this.dataSource = dataSource;
        this.node = node;
        this.batchSize = batchSize;
        this.batchBytes = batchBytes;
        this.windows = windows;
        this.leaseMs = leaseMs;
        this.kafkaTryMs = kafkaTryMs;
        this.workers = workers;
        this.metrics = metrics;
    }

    /**
     * What one lease took; {@code again}: claim again at once, as the lease was as large as asked (there
     * is probably more), or tries that finished while it ran freed slots a claim would fill.
     */
    public record Lease(List<DeliveryTask> tasks, boolean again) {
        /**
         * Equal only to itself: Camel keys its bean-info cache by the instance a {@code ${body.…}}
         * step calls (BeanInfoCacheKey), and a record's value hash walked every task for each one.
         */
        @Override
        public boolean equals(Object other) {
            return this == other;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }
    }

    /**
     * What the last claim left behind: the routes whose slots were all taken after it (more of them
     * may be due), and whether due deliveries were left for the limit or the byte budget. Anything
     * else it did not take was not due: a new dispatch wakes the claimer for new deliveries, and the
     * poll floor finds retries coming due and expired leases.
     */
    private record Backlog(Set<String> fullRoutes, boolean moreDue) {
        static final Backlog NONE = new Backlog(Set.of(), false);
    }

    /** The route's step: leases what the workers can take now; nothing once the service is stopping. */
    public Lease lease(CamelContext context) throws SQLException {
        counting.lock();
        try {
            int wanted = Math.min(batchSize, capacity() - unfinished.size());
            if (wanted <= 0 || context.isStopping()) {
                return new Lease(List.of(), false);
            }
            List<DeliveryTask> tasks;
            try (Connection connection = RelayCommit.open(dataSource)) {
                tasks = claim(connection, wanted);
                connection.commit();
            }
            tasks.forEach(this::started);
            return new Lease(tasks, tasks.size() == wanted || slotsFreedMeanwhile());
        } finally {
            counting.unlock();
        }
    }

    /**
     * The poll floor's question before it asks for a claim (delivery.yaml): is any delivery due and
     * unleased (a retry come due, an expired lease, one created elsewhere: a replay, a backfill,
     * another process's batch)? At a steady 1,000 events/s every delivery went to the workers with
     * its batch, and the floor's claims, two a second, found nothing in 79 of 81, for 9 ms each
     * while they held the count the dispatcher's lease waits for (2026-12-02, BENCHMARKS.md).
     */
    public boolean anyClaimable() throws SQLException {
        try (Connection connection = RelayCommit.open(dataSource); Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery(ANY_CLAIMABLE)) {
            rs.next();
            boolean any = rs.getBoolean(1);
            connection.commit();
            return any;
        }
    }

    /**
     * For the dispatcher's lease of the deliveries it creates ({@code create-deliveries.sql}): this
     * process's free slots, counted as a claim counts them, held until {@link HandOver#close}. Empty
     * when the workers have no room, or a claim kept counting longer than {@link #HAND_OVER_WAIT_MS}
     * (the batch's wake-up then has the claimer claim the new deliveries instead).
     */
    @Override
    public Optional<HandOver> handOver() {
        if (unfinished.size() >= capacity()) {
            return Optional.empty();
        }
        try {
            if (!counting.tryLock(HAND_OVER_WAIT_MS, TimeUnit.MILLISECONDS)) {
                return Optional.empty();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        try {
            int limit = Math.max(0, Math.min(batchSize, capacity() - unfinished.size()));
            Map<String, Integer> inFlight = inFlight();
            return Optional.of(new HandOver(parameters(inFlight, bounds(inFlight), limit)));
        } catch (RuntimeException | Error e) {
            // no hand-over to close: a count held here would park every later claim, silently
            counting.unlock();
            throw e;
        }
    }

    /** The slots of one dispatcher's lease; closing it lets the next claim count. */
    public final class HandOver implements AutoCloseable {

        /** The parameters of a statement that leases nothing (no hand-over), beside those it builds. */
        public static final Map<String, Object> NONE = Map.of("lease_ms", 0L, "kafka_try_ms", 0L, "route_concurrency", 0,
                "busy_routes", new String[0], "busy_counts", new Integer[0], "busy_limits", new Integer[0],
                "limit", 0, "byte_budget", 0L, "node", "");

        private final Map<String, Object> parameters;

        private HandOver(Map<String, Object> parameters) {
            this.parameters = parameters;
        }

        /** The statement's parameters, as the delivery claim's: lease, node, busy routes, limit, byte budget. */
        public Map<String, Object> parameters() {
            return parameters;
        }

        /**
         * The deliveries the statement leased count as in flight from now on; should the transaction
         * roll back, their leases are gone with it and they no longer count.
         */
        public void leased(List<DeliveryTask> tasks, RelayTransaction transaction) {
            tasks.forEach(DeliveryClaimer.this::started);
            transaction.afterRollback(() -> tasks.forEach(DeliveryClaimer.this::forgotten));
        }

        @Override
        public void close() {
            counting.unlock();
        }
    }

    /** A dispatch batch that left new deliveries for a claim (not leased to the workers) committed. */
    @Override
    public void leftForClaim() {
        claimWanted.set(true);
    }

    /**
     * The end of a drain (relay-drain.yaml): whether a batch committed since the last call left
     * deliveries for a claim. At a trickle each batch leases all it creates, and a claim after it
     * would find nothing (at 1,000 events/s, one claim a batch leased ~1 delivery for 1.4 ms each).
     */
    public boolean claimWanted() {
        return claimWanted.getAndSet(false);
    }

    /** Counted once: a delivery whose lease ran out here may be claimed here again while its first task waits. */
    private void started(DeliveryTask task) {
        if (unfinished.put(task.deliveryId(), task) == null) {
            AtomicInteger count = unfinishedByRoute.get(task.routeKey());
            (count != null ? count : unfinishedByRoute.computeIfAbsent(task.routeKey(), this::measured)).incrementAndGet();
        }
    }

    /** A route's count of unfinished claims, shown with its window from its first lease here on. */
    private AtomicInteger measured(String route) {
        AtomicInteger count = new AtomicInteger();
        metrics.deliverySlots(route, count::get, () -> windows.limit(route));
        return count;
    }

    /** No longer counted, unless a newer lease of its delivery here is the one counted now. */
    private void forgotten(DeliveryTask task) {
        if (unfinished.remove(task.deliveryId(), task)) {
            unfinishedByRoute.get(task.routeKey()).decrementAndGet();
        }
    }

    /**
     * A leased task the workers' queue did not take (delivery.yaml, delivery-start): no longer
     * counted, and its lease handed back, so a claim takes it again now rather than once the lease
     * runs out. Left counted, it would hold one of its route's slots for good.
     */
    public void notQueued(@Body DeliveryTask task, Exception refusal) {
        LOG.warn("delivery {} not handed to the workers ({}): its lease is handed back for the next claim",
                task.deliveryId(), refusal.getMessage());
        forgotten(task);
        handBackLease(task);
    }

    /**
     * Sixteen tries a worker, claimed and not finished: the next attempts wait in the queue, not in
     * the database, and enough of them that the workers do not run dry while the next claim runs
     * (6-17 ms inside a busy service on 2 cores). With eight, half the queue lasted less than a
     * claim: the workers were parked on an empty queue in most thread dumps (2026-12-01, BENCHMARKS.md).
     */
    private int capacity() {
        return workers.getAsInt() * TASKS_PER_WORKER;
    }

    /**
     * A worker finished with one claimed delivery, however it ended: its try moves the route's
     * window ({@link RouteWindows}). It wakes the claimer only when a claim would find something
     * ({@link Backlog}): at a trickle of events, a claim per finished try would cost a claim per
     * delivery. And not right away: waiting until half the route's slots (or half this process's
     * capacity) are free lets each claim take several. An ordered route's next event waits for
     * this one, so it wakes the claimer at once.
     */
    public void release(@Body DeliveryAttempt attempt, Message message) {
        DeliveryTask task = attempt.getTask();
        String route = task.routeKey();
        windows.ended(route, attempt.resultOrNull());
        boolean claimNow = true;
        // by its delivery, not this task: should a newer lease of it be counted here (this one ran out
        // under the try), its task is then not tried at all (handBack), so never a second time
        if (unfinished.remove(task.deliveryId()) != null) {
            int routeLeft = unfinishedByRoute.get(route).decrementAndGet();
            Backlog seen = backlog;
            claimNow = orderedRoutes.contains(route)
                    || seen.fullRoutes().contains(route) && halfFree(route, routeLeft)
                    || moreDueAndRoomFor(seen);
        }
        message.setHeader(DeliveryAttempt.CLAIM_NOW, claimNow);
    }

    private boolean halfFree(String route, int inFlight) {
        return inFlight <= windows.limit(route) / 2;
    }

    /** The claim left due deliveries for its limit, and half this process's capacity is free. */
    private boolean moreDueAndRoomFor(Backlog seen) {
        return seen.moreDue() && unfinished.size() <= capacity() / 2;
    }

    /**
     * After a claim: whether tries that finished while it ran freed what their release would have
     * woken a claim for, had they seen this claim's backlog instead of the last one's (a log route's
     * tries take less than a claim); else its due deliveries would wait for the poll floor.
     */
    private boolean slotsFreedMeanwhile() {
        Backlog seen = backlog;
        Map<String, Integer> inFlight = inFlight();
        return seen.fullRoutes().stream().anyMatch(route -> halfFree(route, inFlight.getOrDefault(route, 0)))
                || moreDueAndRoomFor(seen);
    }

    /**
     * A worker's first step with a claimed delivery (delivery.yaml): true when it is not to be tried
     * now, and its lease was handed back instead. Either of two reasons:
     * <ul>
     * <li>Its route has no room for it any more. A route's window shrinks on a setback (a stall, a
     * timeout) while what it leased when the window was wide waits in the workers' queue; tried
     * anyway, each of those would hold a worker for a read timeout, every worker would be on that
     * route and every other route would wait, while the queued deliveries' own leases ran out.</li>
     * <li>Too little of its lease is left for its longest try and the record after it
     * ({@link #RECORD_MS}): it waited in the queue that long. Tried anyway, the try could outlive the
     * lease, and another relay that claimed the delivery meanwhile would send it a second time. A
     * fresh lease always has room: it is the longest try + 5 s at least (V095).</li>
     * </ul>
     * A task whose lease ran out while it waited and whose delivery this process has leased again is
     * not tried either: the newer task tries it (or has tried it already), and its lease is not
     * handed back. Nor is a task this process no longer counts: handed back already, or released at stop.
     * Handed back, a delivery has no attempt and is due at once, and a claim takes it again when its
     * route has room.
     */
    public boolean handBack(@Body DeliveryTask task) {
        if (unfinished.get(task.deliveryId()) != task) {
            // its lease ran out while it waited and this process leased the delivery again: the task of
            // that lease tries it, or tried it already and took the count with it; the lease is left to it
            LOG.info("delivery {} not tried: its task's lease ran out, or was handed back, and is no longer this task's",
                    task.deliveryId());
            return true;
        }
        long leaseLeftMs = task.leaseLeftMs();
        // an SQL action commits with its record, which a lease another relay took refuses: never twice
        if (!task.isSqlAction() && leaseLeftMs < task.longestTryMs() + RECORD_MS) {
            forgotten(task);
            LOG.info("delivery {} handed back untried: {} ms of its lease left, its try may take {} ms and its record {}",
                    task.deliveryId(), leaseLeftMs, task.longestTryMs(), RECORD_MS);
        } else if (overWindow(task.routeKey(), unfinishedByRoute.get(task.routeKey()))) {
            unfinished.remove(task.deliveryId());
            LOG.debug("delivery {} handed back untried: route {} has more unfinished than its window of {}",
                    task.deliveryId(), task.routeKey(), windows.limit(task.routeKey()));
        } else {
            return false;
        }
        handBackLease(task);
        return true;
    }

    private void handBackLease(DeliveryTask task) {
        try {
            release(List.of(task.deliveryId()));
        } catch (SQLException e) {
            LOG.warn("delivery {} not tried, its lease not handed back ({}): it is claimed again once the lease expires",
                    task.deliveryId(), e.getMessage());
        }
    }

    /** Whether the route has more unfinished than its window, then counting one less (compare-and-set: workers side by side hand back no more than the excess). */
    private boolean overWindow(String route, AtomicInteger routeLeft) {
        int limit = windows.limit(route);
        int before;
        do {
            before = routeLeft.get();
            if (before <= limit) {
                return false;
            }
        } while (!routeLeft.compareAndSet(before, before - 1));
        return true;
    }

    /**
     * At shutdown: hands back the leases of deliveries claimed but never started, so another
     * relay (or this one, restarted) takes them at once rather than after the lease expires.
     */
    public int releaseUnfinished() throws SQLException {
        if (unfinished.isEmpty()) {
            return 0;
        }
        int released = release(List.copyOf(unfinished.keySet()));
        unfinished.clear();
        // zeroed, not removed: each count is the one its route's gauge reads
        unfinishedByRoute.values().forEach(count -> count.set(0));
        return released;
    }

    private int release(List<Long> deliveryIds) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement ps = connection.prepareStatement(RELEASE)) {
            ps.setArray(1, connection.createArrayOf("bigint", deliveryIds.toArray()));
            ps.setString(2, node);
            return ps.executeUpdate();
        }
    }

    public List<DeliveryTask> claim(Connection connection, int limit) throws SQLException {
        Map<String, Integer> inFlight = inFlight();
        // the bounds the statement is given: tries finishing meanwhile widen windows, and a route
        // measured against its wider window would look unfull, its due deliveries left to the poll
        Map<String, Integer> bounds = bounds(inFlight);
        Map<String, Object> parameters = parameters(inFlight, bounds, limit);
        try (PreparedStatement ps = CLAIM.prepare(connection, parameters); ResultSet rs = ps.executeQuery()) {
            List<DeliveryTask> tasks = new ArrayList<>();
            boolean moreDue = false;
            while (rs.next()) {
                DeliveryTask task = DeliveryTask.from(rs);
                tasks.add(task);
                inFlight.merge(task.routeKey(), 1, Integer::sum);
                if (rs.getBoolean("ordered")) {
                    orderedRoutes.add(task.routeKey());
                } else {
                    orderedRoutes.remove(task.routeKey());
                }
                moreDue = rs.getBoolean("more_due");
            }
            // full: as many in flight as the route's bound allowed, this claim's leases counted
            Set<String> full = new HashSet<>();
            inFlight.forEach((route, count) -> {
                if (count >= bounds.getOrDefault(route, windows.start())) {
                    full.add(route);
                }
            });
            backlog = new Backlog(Set.copyOf(full), moreDue);
            return tasks;
        }
    }

    /** What this process has in flight per route: every route with something in flight or a window of its own. */
    private Map<String, Integer> inFlight() {
        // the in-flight map keeps every route this process ever leased
        Set<String> routes = new TreeSet<>(windows.adjusted());
        unfinishedByRoute.forEach((route, count) -> {
            if (count.get() > 0) {
                routes.add(route);
            }
        });
        Map<String, Integer> inFlight = new HashMap<>();
        for (String route : routes) {
            AtomicInteger count = unfinishedByRoute.get(route);
            inFlight.put(route, count == null ? 0 : count.get());
        }
        return inFlight;
    }

    /** Each route's bound now (its window), for the routes of the in-flight map; any other's is the start. */
    private Map<String, Integer> bounds(Map<String, Integer> inFlight) {
        Map<String, Integer> bounds = new HashMap<>();
        inFlight.keySet().forEach(route -> bounds.put(route, windows.limit(route)));
        return bounds;
    }

    /** The free slots as the claim and the dispatcher's lease take them: per route in flight and its bound. */
    private Map<String, Object> parameters(Map<String, Integer> inFlight, Map<String, Integer> bounds, int limit) {
        List<String> routes = new ArrayList<>(new TreeSet<>(inFlight.keySet()));
        return Map.of("lease_ms", leaseMs, "kafka_try_ms", kafkaTryMs, "route_concurrency", windows.start(),
                "busy_routes", routes.toArray(String[]::new),
                "busy_counts", routes.stream().map(inFlight::get).toArray(Integer[]::new),
                "busy_limits", routes.stream().map(bounds::get).toArray(Integer[]::new),
                "limit", limit, "byte_budget", batchBytes, "node", node);
    }
}
