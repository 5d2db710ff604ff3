package dev.iucore.pipeline.bench;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A producer writing one event per transaction at a fixed rate, as a domain application would:
 * durable commits (synchronous_commit on), the event id chosen by the producer. The schedule is
 * open: event i is due at start + i / rate whatever the earlier inserts took, and up to
 * {@link #THREADS} inserts are in flight, so a slow commit delays only its own event. For each
 * event it notes the moment its commit returned.
 */
final class SteadyProducer implements AutoCloseable {

    private static final int THREADS = 4;
    static final String INSERT = """
            INSERT INTO event_outbox (event_id, event_type, aggregate_type, aggregate_id, payload)
            VALUES (?, ?, 'bench', ?, jsonb_build_object('n', ?::int, 'text', repeat('x', 200)))""";

    private final HikariDataSource pool;
    private final String eventType;

    SteadyProducer(BenchDatabase database, String eventType) {
        this.pool = database.runtimePool(THREADS);
        this.eventType = eventType;
    }

    /** Inserts {@code rate} events a second for {@code duration}; returns each event's commit instant. */
    Map<UUID, Instant> produce(int rate, Duration duration) throws InterruptedException {
        long events = rate * duration.toSeconds();
        long periodNanos = 1_000_000_000L / rate;
        Map<UUID, Instant> committed = new ConcurrentHashMap<>();
        AtomicReference<SQLException> failure = new AtomicReference<>();
        ExecutorService inserters = Executors.newFixedThreadPool(THREADS);
        long start = System.nanoTime();
        for (int i = 0; i < events && failure.get() == null; i++) {
            long due = start + i * periodNanos;
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            int n = i;
            inserters.execute(() -> {
                try {
                    UUID eventId = UUID.randomUUID();
                    insert(eventId, n);
                    committed.put(eventId, Instant.now());
                } catch (SQLException e) {
                    failure.compareAndSet(null, e);
                }
            });
        }
        inserters.shutdown();
        if (!inserters.awaitTermination(1, TimeUnit.MINUTES)) {
            throw new IllegalStateException("inserts still running a minute after the last was due");
        }
        if (failure.get() != null) {
            throw new IllegalStateException("an insert failed: " + failure.get().getMessage(), failure.get());
        }
        return committed;
    }

    private void insert(UUID eventId, int n) throws SQLException {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(INSERT)) {
            ps.setObject(1, eventId);
            ps.setString(2, eventType);
            ps.setString(3, "a-" + (n % 1000));
            ps.setInt(4, n);
            ps.executeUpdate();
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
