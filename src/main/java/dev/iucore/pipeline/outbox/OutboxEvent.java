package dev.iucore.pipeline.outbox;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A claimed outbox event, {@code pending} or {@code held}, with what the registry says of its type
 * (lane null: unregistered).
 */
public record OutboxEvent(long id, UUID eventId, String eventType, String aggregateType, String aggregateId,
                          String payload, OffsetDateTime createdAt, String status, String lane, Boolean typeEnabled) {

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
