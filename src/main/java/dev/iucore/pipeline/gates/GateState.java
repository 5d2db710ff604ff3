package dev.iucore.pipeline.gates;

import java.time.OffsetDateTime;

/** A gate as stored, and whether it reads open. */
public record GateState(String name, String kind, String value, boolean open, String description,
                        OffsetDateTime updatedAt, String updatedBy) {
}
