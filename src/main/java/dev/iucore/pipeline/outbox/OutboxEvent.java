package dev.iucore.pipeline.outbox;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A claimed outbox event with what the registry says of its type (lane null: unregistered). */
public record OutboxEvent(long id, UUID eventId, String eventType, String aggregateType, String aggregateId,
                          String payload, OffsetDateTime createdAt, String lane, Boolean typeEnabled) {

    public boolean isRegistered() {
        return lane != null;
    }

    public boolean isTypeDisabled() {
        return lane != null && !Boolean.TRUE.equals(typeEnabled);
    }

    public boolean isDelayed() {
        return "delayed".equals(lane);
    }
}
