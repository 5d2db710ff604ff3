package dev.iucore.pipeline.delivery;

import dev.iucore.pipeline.gates.Gate;
import dev.iucore.pipeline.gates.GateService;
import dev.iucore.pipeline.relay.RouteBlock;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Lists, shows and replays dead letters. A replay re-checks today's gates and routes, creates a
 * fresh delivery ({@code replay_of} the dead one, whose history stays), and marks the dead letter
 * replayed by whom and when. A bulk replay runs in chunks, each its own transaction, oldest
 * first, skipping what was already replayed: interrupted, it resumes where it stopped.
 */
public final class DeadLetters {

    private static final int CHUNK = 100;

    static final String FILTERED = """
            SELECT l.id, l.dead_at, l.reason, l.event_type, l.route_key, l.event_id, l.delivery_id, d.attempts,
                   l.last_error, l.replayed_at, l.replayed_by, l.replay_delivery_id, l.replayed_db_user, l.resolved_at,
                   l.resolved_by, l.resolution_reason
              FROM iu_route_dead_letter l
              LEFT JOIN iu_route_delivery d ON d.id = l.delivery_id
             WHERE """ + Filter.CONDITIONS + """
             ORDER BY l.id DESC
             LIMIT ?""";
    static final String ONE = """
            SELECT l.id, l.dead_at, l.reason, l.event_type, l.route_key, l.event_id, l.delivery_id, d.attempts,
                   l.last_error, l.replayed_at, l.replayed_by, l.replay_delivery_id, l.replayed_db_user, l.resolved_at,
                   l.resolved_by, l.resolution_reason, l.event_snapshot::text
              FROM iu_route_dead_letter l
              LEFT JOIN iu_route_delivery d ON d.id = l.delivery_id
             WHERE l.id = ?""";
    static final String ATTEMPTS = """
            SELECT a.delivery_id, a.attempt_no, a.outcome, a.http_status, a.error_class, a.error_text, a.latency_ms,
                   a.node, a.attempted_at
              FROM iu_route_attempt a
             WHERE a.delivery_id IN (SELECT id FROM iu_route_delivery WHERE id = ? OR replay_of = ?)
             ORDER BY a.attempted_at, a.delivery_id, a.attempt_no""";
    static final String REPLAY_CANDIDATES = """
            SELECT l.id, l.reason, l.event_id, l.route_key, l.delivery_id, d.route_kind,
                   EXISTS (SELECT 1 FROM event_outbox e WHERE e.event_id = l.event_id) AS event_exists,
                   p.route_key IS NOT NULL AS route_exists, p.blocked_by,
                   (SELECT r.enabled FROM event_type_registry r WHERE r.event_type = l.event_type) AS type_enabled
              FROM iu_route_dead_letter l
              LEFT JOIN iu_route_delivery d ON d.id = l.delivery_id
              -- the route as the relay's one rule judges it now (V040)
              LEFT JOIN fn_iu_core_route_permissions_now() p ON p.route_key = l.route_key AND p.route_kind = d.route_kind
             WHERE l.replayed_at IS NULL AND l.resolved_at IS NULL AND l.id > ?
               AND (?::bigint[] IS NULL OR l.id = ANY (?::bigint[]))
               AND """ + Filter.CONDITIONS + """
             ORDER BY l.id
             LIMIT ?
               FOR UPDATE OF l SKIP LOCKED""";
    static final String NEW_DELIVERY = """
            INSERT INTO iu_route_delivery (event_id, outbox_id, aggregate_id, route_kind, route_key, replay_of)
            SELECT event_id, outbox_id, aggregate_id, route_kind, route_key, id FROM iu_route_delivery WHERE id = ?
            RETURNING id""";
    static final String REQUEUE_EVENT = """
            UPDATE event_outbox SET status = 'pending', available_at = now(), locked_by = NULL, locked_until = NULL,
                                    dispatched_at = NULL
             WHERE event_id = ?""";
    static final String MARK_REPLAYED = """
            UPDATE iu_route_dead_letter SET replayed_at = now(), replayed_by = ?, replay_delivery_id = ?
             WHERE id = ?""";

    private final DataSource dataSource;

    public DeadLetters(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public List<DeadLetter> list(Filter filter, int limit) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(FILTERED)) {
            int i = filter.bind(ps, 1);
            ps.setInt(i, limit);
            try (ResultSet rs = ps.executeQuery()) {
                List<DeadLetter> letters = new ArrayList<>();
                while (rs.next()) {
                    letters.add(DeadLetter.of(rs));
                }
                return letters;
            }
        }
    }

    public Optional<Detail> show(long id) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            DeadLetter letter;
            String snapshot;
            try (PreparedStatement ps = c.prepareStatement(ONE)) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    letter = DeadLetter.of(rs);
                    snapshot = rs.getString(17);
                }
            }
            List<Attempt> attempts = new ArrayList<>();
            if (letter.deliveryId() != null) {
                try (PreparedStatement ps = c.prepareStatement(ATTEMPTS)) {
                    ps.setLong(1, letter.deliveryId());
                    ps.setLong(2, letter.deliveryId());
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            attempts.add(new Attempt(rs.getLong(1), rs.getInt(2), rs.getString(3),
                                    (Integer) rs.getObject(4), rs.getString(5), rs.getString(6), rs.getInt(7),
                                    rs.getString(8), rs.getObject(9, OffsetDateTime.class)));
                        }
                    }
                }
            }
            return Optional.of(new Detail(letter, snapshot, attempts));
        }
    }

    /** Is {@code dead_letter_replay_enabled} open? */
    public boolean replayAllowed() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return GateService.isOpen(c, Gate.DEAD_LETTER_REPLAY_ENABLED);
        }
    }

    /**
     * Replays the dead letters the ids or the filter select (ids win when given), at most
     * {@code limit}. The caller checks the replay gate; a dry run changes nothing.
     */
    public List<ReplayOutcome> replay(List<Long> ids, Filter filter, String actor, boolean dryRun, int limit)
            throws SQLException {
        List<ReplayOutcome> outcomes = new ArrayList<>();
        long after = 0;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            while (outcomes.size() < limit) {
                List<Candidate> chunk = candidates(c, ids, filter, after, Math.min(CHUNK, limit - outcomes.size()));
                if (chunk.isEmpty()) {
                    break;
                }
                for (Candidate candidate : chunk) {
                    outcomes.add(replayOne(c, candidate, actor, dryRun));
                    after = candidate.id();
                }
                if (dryRun) {
                    c.rollback();
                } else {
                    c.commit();
                }
            }
            c.rollback();
        }
        return outcomes;
    }

    private static List<Candidate> candidates(Connection c, List<Long> ids, Filter filter, long after, int limit)
            throws SQLException {
        try (PreparedStatement ps = chunk(c, REPLAY_CANDIDATES, ids, filter, after, limit, 2);
             ResultSet rs = ps.executeQuery()) {
            List<Candidate> candidates = new ArrayList<>();
            while (rs.next()) {
                candidates.add(new Candidate(rs.getLong(1), rs.getString(2), rs.getObject(3, UUID.class),
                        rs.getString(4), (Long) rs.getObject(5), rs.getString(6), rs.getBoolean(7),
                        rs.getBoolean(8), rs.getString(9), (Boolean) rs.getObject(10)));
            }
            return candidates;
        }
    }

    /**
     * A chunk of a bulk selection, bound in the order its query takes them: the id cursor, the id
     * array ({@code idSlots} times; null without ids), the filter pairs, the chunk's size.
     */
    static PreparedStatement chunk(Connection c, String sql, List<Long> ids, Filter filter, long after, int limit,
                                   int idSlots) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        try {
            ps.setLong(1, after);
            Object idArray = ids == null || ids.isEmpty() ? null : c.createArrayOf("bigint", ids.toArray());
            for (int slot = 0; slot < idSlots; slot++) {
                ps.setObject(2 + slot, idArray);
            }
            ps.setInt(filter.bind(ps, 2 + idSlots), limit);
            return ps;
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
    }

    private static ReplayOutcome replayOne(Connection c, Candidate candidate, String actor,
                                           boolean dryRun) throws SQLException {
        if (!candidate.eventExists()) {
            return ReplayOutcome.refused(candidate.id(), "event " + candidate.eventId() + " is no longer in the outbox");
        }
        if (candidate.deliveryId() == null) {
            // dead at dispatch (unregistered or disabled type): the event goes back to the dispatcher
            if (!Boolean.TRUE.equals(candidate.typeEnabled())) {
                return ReplayOutcome.refused(candidate.id(), "event type is still "
                        + (candidate.typeEnabled() == null ? "unregistered" : "disabled"));
            }
            if (!dryRun) {
                update(c, REQUEUE_EVENT, candidate.eventId());
                markReplayed(c, candidate.id(), actor, null);
            }
            return ReplayOutcome.replayed(candidate.id(), "event requeued for dispatch", null);
        }
        if (!candidate.routeExists()) {
            return ReplayOutcome.refused(candidate.id(), "route " + candidate.routeKey() + " was removed");
        }
        if (candidate.blockedBy() != null) {
            return ReplayOutcome.refused(candidate.id(), RouteBlock.explain(candidate.blockedBy(), candidate.routeKey()));
        }
        if (dryRun) {
            return ReplayOutcome.replayed(candidate.id(), "would create a fresh delivery", null);
        }
        long delivery;
        try (PreparedStatement ps = c.prepareStatement(NEW_DELIVERY)) {
            ps.setLong(1, candidate.deliveryId());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                delivery = rs.getLong(1);
            }
        }
        markReplayed(c, candidate.id(), actor, delivery);
        return ReplayOutcome.replayed(candidate.id(), "fresh delivery " + delivery, delivery);
    }

    private static void markReplayed(Connection c, long id, String actor, Long delivery) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(MARK_REPLAYED)) {
            ps.setString(1, actor);
            ps.setObject(2, delivery);
            ps.setLong(3, id);
            ps.executeUpdate();
        }
    }

    private static void update(Connection c, String sql, Object value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, value);
            ps.executeUpdate();
        }
    }

    /** What list and replay select by; every part optional. */
    public record Filter(String route, String eventType, String reason, OffsetDateTime since, OffsetDateTime until) {

        public static final Filter ALL = new Filter(null, null, null, null, null);

        /** The conditions on dead letter {@code l} that {@link #bind} fills, one pair of parameters each. */
        static final String CONDITIONS = """
                (?::text IS NULL OR l.route_key = ?)
                AND (?::text IS NULL OR l.event_type = ?)
                AND (?::text IS NULL OR l.reason = ?)
                AND (?::timestamptz IS NULL OR l.dead_at >= ?)
                AND (?::timestamptz IS NULL OR l.dead_at < ?)""";

        public boolean isEmpty() {
            return route == null && eventType == null && reason == null && since == null && until == null;
        }

        /** Binds the five filter pairs from {@code index}; returns the next index. */
        int bind(PreparedStatement ps, int index) throws SQLException {
            Object[] values = {route, eventType, reason, since, until};
            for (Object value : values) {
                ps.setObject(index++, value);
                ps.setObject(index++, value);
            }
            return index;
        }
    }

    public record DeadLetter(long id, OffsetDateTime deadAt, String reason, String eventType, String routeKey,
                             UUID eventId, Long deliveryId, Integer attempts, String lastError,
                             OffsetDateTime replayedAt, String replayedBy, Long replayDeliveryId,
                             String replayedDbUser, OffsetDateTime resolvedAt, String resolvedBy, String resolutionReason) {
        static DeadLetter of(ResultSet rs) throws SQLException {
            return new DeadLetter(rs.getLong(1), rs.getObject(2, OffsetDateTime.class), rs.getString(3),
                    rs.getString(4), rs.getString(5), rs.getObject(6, UUID.class), (Long) rs.getObject(7),
                    (Integer) rs.getObject(8), rs.getString(9), rs.getObject(10, OffsetDateTime.class),
                    rs.getString(11), (Long) rs.getObject(12), rs.getString(13), rs.getObject(14, OffsetDateTime.class),
                    rs.getString(15), rs.getString(16));
        }

        /** When and by whom: the actor the replay claimed, and the database user that made it. */
        public String replayed() {
            return replayedAt + " by " + replayedBy + " (database user " + replayedDbUser + ")";
        }

        /** Replayed or resolved by whom and when; empty while the letter is open. */
        public String closed() {
            if (replayedAt != null) {
                return "replayed " + replayed();
            }
            return resolvedAt == null ? "" : "resolved " + resolvedAt + " by " + resolvedBy;
        }
    }

    public record Attempt(long deliveryId, int attemptNo, String outcome, Integer httpStatus, String errorClass,
                          String errorText, int latencyMs, String node, OffsetDateTime attemptedAt) {
    }

    public record Detail(DeadLetter deadLetter, String eventSnapshot, List<Attempt> attempts) {
        public Map<String, Object> asMap() {
            return Map.of("dead_letter", deadLetter, "event_snapshot", eventSnapshot, "attempts", attempts);
        }
    }

    public record ReplayOutcome(long deadLetterId, boolean replayed, String detail, Long deliveryId) {
        static ReplayOutcome replayed(long id, String detail, Long deliveryId) {
            return new ReplayOutcome(id, true, detail, deliveryId);
        }

        static ReplayOutcome refused(long id, String detail) {
            return new ReplayOutcome(id, false, detail, null);
        }
    }

    private record Candidate(long id, String reason, UUID eventId, String routeKey, Long deliveryId, String routeKind,
                             boolean eventExists, boolean routeExists, String blockedBy, Boolean typeEnabled) {
    }
}
