package dev.iucore.pipeline.delivery;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * A receiver's {@code Retry-After} (RFC 9110 §10.2.3) as the wait it asks for: whole seconds or an
 * HTTP date. Anything else, a date past or a negative number, asks for nothing.
 */
final class RetryAfter {

    /** Beyond any route's longest backoff: a larger number is read as this, not as an overflow. */
    private static final long LONGEST_MS = Duration.ofDays(1).toMillis();

    private RetryAfter() {
    }

    /** Milliseconds from {@code now}; 0 when the header is absent or says nothing usable. */
    static long millis(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return 0;
        }
        String text = value.strip();
        if (text.chars().allMatch(Character::isDigit)) {
            // more digits than a long holds are as long as LONGEST_MS, which they exceed anyway
            return text.length() > 9 ? LONGEST_MS : Math.min(Long.parseLong(text) * 1000, LONGEST_MS);
        }
        try {
            long until = Duration.between(now, ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME)).toMillis();
            return Math.max(0, Math.min(until, LONGEST_MS));
        } catch (DateTimeParseException e) {
            return 0;
        }
    }
}
