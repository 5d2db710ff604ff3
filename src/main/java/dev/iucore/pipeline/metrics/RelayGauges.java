package dev.iucore.pipeline.metrics;

import dev.iucore.pipeline.gates.GateService;
import dev.iucore.pipeline.gates.GateState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gauges of the database's state: outbox backlog and oldest pending age, held events, open
 * circuits, open dead letters, gate states, the last retention run per target and the event
 * boundary's verdict per internal-only type. A scrape never
 * queries: the {@code observe-refresh} route calls {@link #refresh()} every
 * {@code iu.metrics.refresh-interval-ms}, a handful of index-backed queries on one connection, and
 * the gauges show the last values read. They describe the whole database, so every node of a
 * cluster reports the same numbers; {@code iu_stats_age_seconds} tells how fresh they are.
 */
public final class RelayGauges {

    private static final Logger LOG = LoggerFactory.getLogger(RelayGauges.class);

    // each subquery reads a partial index (pending, held) or a small table
    /** Past this many pending events the backlog gauge stops counting: a refresh stays cheap on any backlog. */
    static final int BACKLOG_COUNT_LIMIT = 100_000;
    // both outbox figures read the pending index from its head: counting all of a 600,000-event
    // backlog took 0.2 s on every core at each refresh (0.9 s under load), min(created_at) as much
    static final String QUEUES = """
            SELECT (SELECT count(*) FROM (SELECT 1 FROM event_outbox WHERE status = 'pending' LIMIT ?) pending),
                   (SELECT extract(epoch FROM now() - created_at) FROM event_outbox WHERE status = 'pending'
                     ORDER BY available_at, id LIMIT 1),
                   (SELECT count(*) FROM event_outbox WHERE status = 'held'),
                   (SELECT count(*) FROM iu_route_circuit WHERE state <> 'closed'),
                   (SELECT count(*) FROM iu_route_dead_letter WHERE replayed_at IS NULL AND resolved_at IS NULL)""";
    static final String LAST_RETENTION_RUNS = """
            SELECT DISTINCT ON (target) target, rows_eligible, rows_deleted,
                   extract(epoch FROM coalesce(finished_at, started_at))
              FROM iu_core_retention_run
             WHERE status <> 'running'
             ORDER BY target, started_at DESC""";
    // the view's layers, a few index lookups per registered type; the probe of verify boundary is
    // left to the command: it starts a Camel context, too much for every refresh
    static final String BOUNDARY = """
            SELECT event_type, internal_only_holds, layers_holding FROM iu_core_event_boundary WHERE internal_only""";

    private final DataSource dataSource;
    private final LabelledGauge gates;
    private final LabelledGauge retentionEligible;
    private final LabelledGauge retentionDeleted;
    private final LabelledGauge retentionFinished;
    private final LabelledGauge boundaryHolds;
    private final LabelledGauge boundaryLayers;
    private volatile double backlog = Double.NaN;
    private volatile double oldestPendingAge = Double.NaN;
    private volatile double held = Double.NaN;
    private volatile double openCircuits = Double.NaN;
    private volatile double openDeadLetters = Double.NaN;
    private volatile long refreshedAtMillis;

    public RelayGauges(DataSource dataSource, MeterRegistry registry) {
        this.dataSource = dataSource;
        Gauge.builder("iu.outbox.backlog", this, g -> g.backlog)
                .description("Outbox events pending dispatch").register(registry);
        Gauge.builder("iu.outbox.oldest.pending.age", this, g -> g.oldestPendingAge).baseUnit("seconds")
                .description("Age of the oldest pending outbox event (0 when none is pending)").register(registry);
        Gauge.builder("iu.outbox.held", this, g -> g.held)
                .description("Outbox events held for the delayed lane").register(registry);
        Gauge.builder("iu.circuits.open", this, g -> g.openCircuits)
                .description("Routes whose circuit is open or half open").register(registry);
        Gauge.builder("iu.dead.letters.open", this, g -> g.openDeadLetters)
                .description("Dead letters neither replayed nor resolved").register(registry);
        Gauge.builder("iu.stats.age", this, RelayGauges::ageSeconds).baseUnit("seconds")
                .description("Seconds since these gauges were last read from the database").register(registry);
        gates = new LabelledGauge(MultiGauge.builder("iu.gate.open").description("1 when the gate is open, 0 when closed").register(registry));
        retentionEligible = new LabelledGauge(MultiGauge.builder("iu.retention.last.run.rows.eligible")
                .description("Rows the last finished retention run found eligible, per target").register(registry));
        retentionDeleted = new LabelledGauge(MultiGauge.builder("iu.retention.last.run.rows.deleted")
                .description("Rows the last finished retention run deleted, per target (0 for a dry run)").register(registry));
        retentionFinished = new LabelledGauge(MultiGauge.builder("iu.retention.last.run.finished").baseUnit("seconds")
                .description("When the last retention run per target finished, seconds since the epoch").register(registry));
        boundaryHolds = new LabelledGauge(MultiGauge.builder("iu.boundary.holds")
                .description("1 while the internal-only event type holds its boundary (registry lane, no route, its routes gated), 0 when not")
                .register(registry));
        boundaryLayers = new LabelledGauge(MultiGauge.builder("iu.boundary.layers.holding")
                .description("Layers of the boundary holding for the internal-only type: L1 registry, L2 route table, L3 worker gates")
                .register(registry));
    }

    /** The route's step: reads every gauge's value in one go; on a database error the last values stay. */
    public void refresh() {
        try (Connection c = dataSource.getConnection()) {
            c.setReadOnly(true);
            readQueues(c);
            readRetention(c);
            readGates(c);
            readBoundary(c);
            refreshedAtMillis = System.currentTimeMillis();
        } catch (SQLException | RuntimeException e) {
            LOG.warn("metrics gauges not refreshed, they keep their last values: {}", e.getMessage());
        }
    }

    private void readQueues(Connection c) throws SQLException {
        Queues queues = queues(c);
        backlog = queues.backlog();
        oldestPendingAge = queues.oldestPendingAgeSeconds();
        held = queues.held();
        openCircuits = queues.openCircuits();
        openDeadLetters = queues.openDeadLetters();
    }

    /**
     * The outbox and relay queues now, as the gauges show them (the console's overview reads them
     * here too). {@code backlog} stops counting at {@link #BACKLOG_COUNT_LIMIT}; the oldest pending
     * age is 0 when nothing is pending.
     */
    public record Queues(long backlog, double oldestPendingAgeSeconds, long held, long openCircuits,
                         long openDeadLetters) {
    }

    public static Queues queues(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(QUEUES)) {
            ps.setInt(1, BACKLOG_COUNT_LIMIT);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long backlog = rs.getLong(1);
                double age = rs.getDouble(2);
                double oldest = rs.wasNull() ? 0 : age;
                return new Queues(backlog, oldest, rs.getLong(3), rs.getLong(4), rs.getLong(5));
            }
        }
    }

    private void readRetention(Connection c) throws SQLException {
        Map<Tags, Double> eligible = new HashMap<>();
        Map<Tags, Double> deleted = new HashMap<>();
        Map<Tags, Double> finished = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(LAST_RETENTION_RUNS); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Tags target = Tags.of("target", rs.getString(1));
                eligible.put(target, (double) rs.getLong(2));
                deleted.put(target, (double) rs.getLong(3));
                finished.put(target, rs.getDouble(4));
            }
        }
        retentionEligible.set(eligible);
        retentionDeleted.set(deleted);
        retentionFinished.set(finished);
    }

    private void readGates(Connection c) throws SQLException {
        Map<Tags, Double> rows = new HashMap<>();
        for (GateState gate : GateService.list(c)) {
            rows.put(Tags.of("gate", gate.name()), gate.open() ? 1.0 : 0.0);
        }
        gates.set(rows);
    }

    private void readBoundary(Connection c) throws SQLException {
        Map<Tags, Double> holds = new HashMap<>();
        Map<Tags, Double> layers = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(BOUNDARY); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Tags type = Tags.of("event_type", rs.getString(1));
                holds.put(type, rs.getBoolean(2) ? 1.0 : 0.0);
                layers.put(type, (double) rs.getInt(3));
            }
        }
        boundaryHolds.set(holds);
        boundaryLayers.set(layers);
    }

    private double ageSeconds() {
        long at = refreshedAtMillis;
        return at == 0 ? Double.NaN : (System.currentTimeMillis() - at) / 1000.0;
    }
}
