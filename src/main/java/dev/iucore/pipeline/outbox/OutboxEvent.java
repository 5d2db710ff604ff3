package dev.iucore.pipeline.outbox;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A claimed outbox event, {@code pending} or {@code held}, with what the registry says of its type
 * (lane null: unregistered). Without its payload: dispatch decides and writes by id. Of its headers
 * only the producer's {@code traceparent} (or null), which the batch's span links to.
 */
public record OutboxEvent(long id, UUID eventId, String eventType, String aggregateId, String status, String lane,
                          Boolean typeEnabled, String traceparent) {

    /** The row mapper of both outbox claims (the dispatcher's and the delayed lane's), by column name. */
    static List<OutboxEvent> readAll(ResultSet rs) throws SQLException {
        List<OutboxEvent> events = new ArrayList<>();
        while (rs.next()) {
            events.add(new OutboxEvent(rs.getLong("id"), rs.getObject("event_id", UUID.class), rs.getString("event_type"),
                    rs.getString("aggregate_id"), rs.getString("status"), rs.getString("delivery_lane"),
                    (Boolean) rs.getObject("enabled"), rs.getString("traceparent")));
        }
        return events;
    }

    public boolean isRegistered() {
        return lane != null;
    }

    public boolean isTypeDisabled() {
        return lane != null && !Boolean.TRUE.equals(typeEnabled);
    }

    /** A delayed-lane event met by the live dispatcher: held for the delayed lane's batch, not released. */
    public boolean isDeferred() {
        return "delayed".equals(lane) && !"held".equals(status);
    }
}
