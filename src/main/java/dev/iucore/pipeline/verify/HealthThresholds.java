package dev.iucore.pipeline.verify;

import dev.iucore.pipeline.config.ConfigurationException;
import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.config.Settings;

/** The limits {@code verify health} judges by, from the {@code iu.health.*} settings. */
public record HealthThresholds(long maxBacklog, long maxPendingAgeSeconds, long maxHeld, long maxRetrying,
                               long maxOpenDeadLetters, long leaseGraceSeconds, long maxStuckLeases,
                               double maxDeadTupleRatio) {

    public static HealthThresholds from(Settings settings) {
        double ratio = settings.getDouble(Setting.HEALTH_MAX_DEAD_TUPLE_RATIO);
        if (!(ratio >= 0 && ratio <= 1)) {
            throw new ConfigurationException(Setting.HEALTH_MAX_DEAD_TUPLE_RATIO.key() + " (env "
                    + Setting.HEALTH_MAX_DEAD_TUPLE_RATIO.envName() + ") must be between 0 and 1, not " + ratio);
        }
        return new HealthThresholds(count(settings, Setting.HEALTH_MAX_BACKLOG),
                count(settings, Setting.HEALTH_MAX_PENDING_AGE_SECONDS), count(settings, Setting.HEALTH_MAX_HELD),
                count(settings, Setting.HEALTH_MAX_RETRYING), count(settings, Setting.HEALTH_MAX_OPEN_DEAD_LETTERS),
                count(settings, Setting.HEALTH_LEASE_GRACE_SECONDS), count(settings, Setting.HEALTH_MAX_STUCK_LEASES),
                ratio);
    }

    private static long count(Settings settings, Setting setting) {
        int value = settings.getInt(setting);
        if (value < 0) {
            throw new ConfigurationException(setting.key() + " (env " + setting.envName()
                    + ") must be 0 or more, not " + value);
        }
        return value;
    }
}
