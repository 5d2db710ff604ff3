package dev.iucore.pipeline.delivery;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Closes dead letters without replaying them: {@code resolved_at}, {@code resolved_by} and the
 * reason are written, nothing else changes (the event snapshot, the dead delivery and its attempts
 * stay; retention removes a resolved letter after its policy's age). A letter already replayed or
 * resolved is refused, saying by whom and when. Rows are locked before they are judged, so a
 * replay running at the same time and a resolve never both close one letter. Bulk selections run
 * in chunks, each its own transaction, oldest first: interrupted, a second run does the rest.
 */
public final class DeadLetterResolution {

    private static final int CHUNK = 100;

    /** The given ids whatever their state (so a closed one is named); a filter only open ones. */
    static final String CANDIDATES = """
            SELECT l.id, l.replayed_at, l.replayed_by, l.replay_delivery_id, l.resolved_at, l.resolved_by,
                   l.resolution_reason
              FROM iu_route_dead_letter l
             WHERE l.id > ?
               AND (CAST(? AS bigint[]) IS NULL OR l.id = ANY (CAST(? AS bigint[])))
               AND (CAST(? AS bigint[]) IS NOT NULL OR (l.replayed_at IS NULL AND l.resolved_at IS NULL))
               AND """ + DeadLetters.Filter.CONDITIONS + """
             ORDER BY l.id
             LIMIT ?
               FOR UPDATE OF l""";
    static final String RESOLVE = """
            UPDATE iu_route_dead_letter SET resolved_at = now(), resolved_by = ?, resolution_reason = ?
             WHERE id = ANY (?) AND replayed_at IS NULL AND resolved_at IS NULL""";

    private final DataSource dataSource;

    public DeadLetterResolution(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Resolves the dead letters the ids or the filter select (ids win when given), at most
     * {@code limit}; every given id gets an outcome, an unknown one too. A dry run changes nothing.
     */
    public List<Outcome> resolve(List<Long> ids, DeadLetters.Filter filter, String actor, String reason,
                                 boolean dryRun, int limit) throws SQLException {
        Map<Long, Outcome> outcomes = new LinkedHashMap<>();
        long after = 0;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            while (outcomes.size() < limit) {
                List<Outcome> chunk = judge(c, ids, filter, after, Math.min(CHUNK, limit - outcomes.size()));
                if (chunk.isEmpty()) {
                    break;
                }
                List<Long> open = chunk.stream().filter(Outcome::resolved).map(Outcome::deadLetterId).toList();
                if (!dryRun && !open.isEmpty()) {
                    try (PreparedStatement ps = c.prepareStatement(RESOLVE)) {
                        ps.setString(1, actor);
                        ps.setString(2, reason);
                        ps.setArray(3, c.createArrayOf("bigint", open.toArray()));
                        ps.executeUpdate();
                    }
                }
                if (dryRun) {
                    c.rollback();
                } else {
                    c.commit();
                }
                chunk.forEach(o -> outcomes.put(o.deadLetterId(), o));
                after = chunk.get(chunk.size() - 1).deadLetterId();
            }
            c.rollback();
        }
        List<Outcome> all = new ArrayList<>(outcomes.values());
        if (ids != null) {
            ids.stream().distinct().filter(id -> !outcomes.containsKey(id))
                    .forEach(id -> all.add(new Outcome(id, false, "no dead letter " + id)));
        }
        return all;
    }

    private static List<Outcome> judge(Connection c, List<Long> ids, DeadLetters.Filter filter, long after, int limit)
            throws SQLException {
        try (PreparedStatement ps = DeadLetters.chunk(c, CANDIDATES, ids, filter, after, limit, 3);
             ResultSet rs = ps.executeQuery()) {
            List<Outcome> judged = new ArrayList<>();
            while (rs.next()) {
                judged.add(Outcome.of(rs));
            }
            return judged;
        }
    }

    /** What became of one dead letter: resolved (or would be, in a dry run), or why not. */
    public record Outcome(long deadLetterId, boolean resolved, String detail) {

        static Outcome of(ResultSet rs) throws SQLException {
            long id = rs.getLong(1);
            OffsetDateTime replayedAt = rs.getObject(2, OffsetDateTime.class);
            OffsetDateTime resolvedAt = rs.getObject(5, OffsetDateTime.class);
            if (replayedAt != null) {
                Long delivery = (Long) rs.getObject(4);
                return new Outcome(id, false, "already replayed at " + replayedAt + " by " + rs.getString(3)
                        + (delivery == null ? " (event requeued for dispatch)" : " as delivery " + delivery));
            }
            if (resolvedAt != null) {
                String why = rs.getString(7);
                return new Outcome(id, false, "already resolved at " + resolvedAt + " by " + rs.getString(6)
                        + (why == null ? "" : ": " + why));
            }
            return new Outcome(id, true, "open");
        }
    }
}
