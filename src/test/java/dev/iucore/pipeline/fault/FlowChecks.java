package dev.iucore.pipeline.fault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.iucore.pipeline.testing.MisbehavingReceiver.Received;
import dev.iucore.pipeline.testing.TestDb;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** What every fault case checks at its end: rows and the receiver's log agree, nothing lost, nothing recorded twice. */
final class FlowChecks {

    private final TestDb db;
    private final String routeKey;

    /** When the relay could not finish what it had sent: a kill (until the receiver has read what the dead process sent) or a database down and back. */
    record Outage(Instant from, Instant to) {
    }

    FlowChecks(TestDb db, String routeKey) {
        this.db = db;
        this.routeKey = routeKey;
    }

    long delivered() {
        return db.queryLong("SELECT count(*) FROM iu_route_delivery WHERE route_key = ? AND status = 'delivered'", routeKey);
    }

    /**
     * Every event dispatched with one delivery on the route, delivered; no (delivery, attempt) recorded
     * twice; every delivery's {@code webhook-id} reached the receiver.
     */
    void everyEventDeliveredAndNoAttemptRecordedTwice(int events, List<Received> received) {
        assertThat(db.query("""
                SELECT status, count(*) AS n FROM event_outbox
                 WHERE event_type = (SELECT event_type FROM iu_outbound_route WHERE route_key = ?) GROUP BY status""", routeKey))
                .containsExactly(Map.of("status", "dispatched", "n", (long) events));
        assertThat(db.query("""
                SELECT count(*) AS deliveries, count(DISTINCT event_id) AS events,
                       count(*) FILTER (WHERE status = 'delivered') AS delivered
                  FROM iu_route_delivery WHERE route_key = ?""", routeKey))
                .containsExactly(Map.of("deliveries", (long) events, "events", (long) events, "delivered", (long) events));
        assertThat(db.query("""
                SELECT count(*) AS attempts, count(DISTINCT (a.delivery_id, a.attempt_no)) AS distinct_attempts
                  FROM iu_route_attempt a JOIN iu_route_delivery d ON d.id = a.delivery_id WHERE d.route_key = ?""", routeKey)
                .get(0)).satisfies(row -> assertThat(row.get("attempts")).isEqualTo(row.get("distinct_attempts")));
        Set<String> expected = db.query("""
                SELECT 'msg_' || event_id || '_' || route_key AS id FROM iu_route_delivery WHERE route_key = ?""", routeKey)
                .stream().map(r -> (String) r.get("id")).collect(Collectors.toSet());
        assertThat(received.stream().map(Received::webhookId).collect(Collectors.toSet())).containsAll(expected);
    }

    /**
     * A try the receiver got more than once (same webhook-id, same attempt number) was in flight across
     * an outage: between any two of its arrivals lies one. Returns how many arrivals were repeats.
     */
    static long assertTriesRepeatedOnlyAcross(List<Outage> outages, List<Received> received, Object context) {
        Map<String, List<Received>> byTry = received.stream()
                .collect(Collectors.groupingBy(r -> r.webhookId() + "#" + r.attempt()));
        long repeats = 0;
        for (List<Received> arrivals : byTry.values()) {
            List<Received> inOrder = arrivals.stream().sorted(Comparator.comparing(Received::at)).toList();
            for (int i = 1; i < inOrder.size(); i++) {
                Instant before = inOrder.get(i - 1).at();
                Instant after = inOrder.get(i).at();
                assertThat(outages).as("%s: %s sent again at %s, first at %s, with no outage between", context,
                        inOrder.get(i).webhookId(), after, before)
                        .anyMatch(outage -> outage.to().isAfter(before) && outage.from().isBefore(after));
                repeats++;
            }
        }
        return repeats;
    }

    /** Attempts recorded per node (the relays that did the work). */
    Map<String, Long> attemptsByNode() {
        return attemptsByNodeAfter(0);
    }

    /** Attempts recorded per node after the attempt with this id. */
    Map<String, Long> attemptsByNodeAfter(long attemptId) {
        return db.query("""
                SELECT a.node, count(*) AS n FROM iu_route_attempt a JOIN iu_route_delivery d ON d.id = a.delivery_id
                 WHERE d.route_key = ? AND a.id > ? GROUP BY a.node""", routeKey, attemptId).stream()
                .collect(Collectors.toMap(r -> (String) r.get("node"), r -> (Long) r.get("n")));
    }

    long lastAttemptId() {
        return db.queryLong("SELECT coalesce(max(id), 0) FROM iu_route_attempt");
    }
}
