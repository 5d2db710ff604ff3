package dev.iucore.pipeline.control;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import javax.sql.DataSource;

/**
 * Registers and changes event types through the audited functions of migration V090. The internal-only
 * rule of the boundary (V039) stands behind them: a type with routes cannot be marked internal-only.
 */
public final class EventTypeWrites {

    static final String REGISTER = "SELECT * FROM fn_iu_core_event_type_register(?, ?, ?, ?, ?, ?)";
    static final String CHANGE = "SELECT * FROM fn_iu_core_event_type_change(?, ?, ?, ?, ?, ?)";

    private final DataSource dataSource;

    public EventTypeWrites(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** A new type; {@code internalOnly} null is false. */
    public EventType register(String eventType, String lane, String description, Boolean internalOnly, String actor,
                              String reason, boolean dryRun) throws SQLException {
        return write(REGISTER, eventType, lane, description, internalOnly, actor, reason, dryRun);
    }

    /** Changes what is not null; the type as it then is. */
    public EventType change(String eventType, String lane, String description, Boolean internalOnly, String actor,
                            String reason, boolean dryRun) throws SQLException {
        return write(CHANGE, eventType, lane, description, internalOnly, actor, reason, dryRun);
    }

    private EventType write(String sql, String eventType, String lane, String description, Boolean internalOnly,
                            String actor, String reason, boolean dryRun) throws SQLException {
        return ControlWrite.call(dataSource, c -> { }, sql, ps -> {
            ps.setString(1, eventType);
            ps.setString(2, lane);
            ps.setString(3, description);
            if (internalOnly == null) {
                ps.setNull(4, Types.BOOLEAN);
            } else {
                ps.setBoolean(4, internalOnly);
            }
            ps.setString(5, actor);
            ps.setString(6, reason);
        }, EventType::of, dryRun);
    }

    /** A registry row, named as {@code GET /api/v1/event-types} names its fields. */
    public record EventType(String eventType, String deliveryLane, String description, boolean enabled,
                            boolean internalOnly, OffsetDateTime createdAt) {

        static EventType of(ResultSet rs) throws SQLException {
            return new EventType(rs.getString("event_type"), rs.getString("delivery_lane"), rs.getString("description"),
                    rs.getBoolean("enabled"), rs.getBoolean("internal_only"),
                    rs.getObject("created_at", OffsetDateTime.class));
        }
    }
}
