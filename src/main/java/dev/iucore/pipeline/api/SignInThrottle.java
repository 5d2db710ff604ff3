package dev.iucore.pipeline.api;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed sign-ins (the console's form, the API's HTTP Basic) counted per user name and per client
 * address: after {@code limit} failures in a row for either, sign-in there is refused for
 * {@link #FIRST_LOCK} without the password being checked, the lock doubled with each further
 * failure up to {@link #LONGEST_LOCK}; a sign-in that succeeds clears both counts. Guessing a
 * password then takes hours, not seconds. Kept in memory: a restart forgets the counts, as it
 * forgets the sessions.
 */
final class SignInThrottle {

    static final Duration FIRST_LOCK = Duration.ofSeconds(30);
    static final Duration LONGEST_LOCK = Duration.ofMinutes(15);
    /** Names and addresses tracked at most before the stale ones are forgotten: a bound on what guessing can fill. */
    private static final int TRACKED = 10_000;

    private record Failures(int count, Instant lockedUntil, Instant last) {
    }

    private final int limit;
    private final Clock clock;
    private final ConcurrentHashMap<String, Failures> failures = new ConcurrentHashMap<>();

    SignInThrottle(int limit, Clock clock) {
        this.limit = limit;
        this.clock = clock;
    }

    /** How long sign-in stays refused for this user name or this address; empty: it may be tried. */
    Optional<Duration> refusal(String user, String address) {
        Instant now = clock.instant();
        Duration wait = Duration.ZERO;
        for (String key : keys(user, address)) {
            Failures f = failures.get(key);
            if (f != null && f.lockedUntil() != null && f.lockedUntil().isAfter(now)) {
                Duration left = Duration.between(now, f.lockedUntil());
                wait = left.compareTo(wait) > 0 ? left : wait;
            }
        }
        return wait.isZero() ? Optional.empty() : Optional.of(wait);
    }

    void failed(String user, String address) {
        Instant now = clock.instant();
        if (failures.size() > TRACKED) {
            failures.values().removeIf(f -> (f.lockedUntil() == null || f.lockedUntil().isBefore(now))
                    && f.last().isBefore(now.minus(LONGEST_LOCK)));
        }
        for (String key : keys(user, address)) {
            failures.merge(key, new Failures(1, lockedUntil(1, now), now),
                    (before, one) -> new Failures(before.count() + 1, lockedUntil(before.count() + 1, now), now));
        }
    }

    void succeeded(String user, String address) {
        keys(user, address).forEach(failures::remove);
    }

    private Instant lockedUntil(int count, Instant now) {
        if (count < limit) {
            return null;
        }
        long seconds = FIRST_LOCK.getSeconds() << Math.min(count - limit, 16);
        return now.plusSeconds(Math.min(seconds, LONGEST_LOCK.getSeconds()));
    }

    private static List<String> keys(String user, String address) {
        List<String> keys = new ArrayList<>(2);
        if (user != null) {
            keys.add("user " + user);
        }
        if (address != null) {
            keys.add("address " + address);
        }
        return keys;
    }

    /** What a refused client is told to wait, in whole seconds (Retry-After). */
    static long seconds(Duration wait) {
        return Math.max(1, (wait.toMillis() + 999) / 1000);
    }
}
