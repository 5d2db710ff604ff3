package dev.iucore.pipeline.verify;

import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.config.Settings;

/** The limits {@code verify health} judges by, from the {@code iu.health.*} settings (ranges: {@link Setting#rule()}). */
public record HealthThresholds(long maxBacklog, long maxPendingAgeSeconds, long maxHeld, long maxRetrying,
                               long maxOpenDeadLetters, long leaseGraceSeconds, long maxStuckLeases,
                               double maxDeadTupleRatio) {

    public static HealthThresholds from(Settings settings) {
        return new HealthThresholds(settings.getInt(Setting.HEALTH_MAX_BACKLOG),
                settings.getInt(Setting.HEALTH_MAX_PENDING_AGE_SECONDS), settings.getInt(Setting.HEALTH_MAX_HELD),
                settings.getInt(Setting.HEALTH_MAX_RETRYING), settings.getInt(Setting.HEALTH_MAX_OPEN_DEAD_LETTERS),
                settings.getInt(Setting.HEALTH_LEASE_GRACE_SECONDS), settings.getInt(Setting.HEALTH_MAX_STUCK_LEASES),
                settings.getDouble(Setting.HEALTH_MAX_DEAD_TUPLE_RATIO));
    }
}
