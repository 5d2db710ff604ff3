package dev.iucore.pipeline.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class RetryAfterTest {

    private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");

    @Test
    void wholeSecondsAreTheWait() {
        assertThat(RetryAfter.millis("30", NOW)).isEqualTo(30_000);
        assertThat(RetryAfter.millis(" 0 ", NOW)).isZero();
    }

    @Test
    void anHttpDateIsTheWaitUntilThen() {
        String inNinetySeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(90).atOffset(ZoneOffset.UTC));
        assertThat(inNinetySeconds).isEqualTo("Sat, 5 Dec 2026 12:01:30 GMT");
        assertThat(RetryAfter.millis(inNinetySeconds, NOW)).isEqualTo(90_000);
        assertThat(RetryAfter.millis("Sat, 05 Dec 2026 11:59:00 GMT", NOW)).as("already past").isZero();
    }

    @Test
    void whatSaysNothingUsableAsksForNothing() {
        assertThat(RetryAfter.millis(null, NOW)).isZero();
        assertThat(RetryAfter.millis("", NOW)).isZero();
        assertThat(RetryAfter.millis("-5", NOW)).isZero();
        assertThat(RetryAfter.millis("soon", NOW)).isZero();
        assertThat(RetryAfter.millis("1.5", NOW)).isZero();
    }

    @Test
    void anEnormousWaitIsADayNotAnOverflow() {
        assertThat(RetryAfter.millis("99999999999999999999999", NOW)).isEqualTo(Duration.ofDays(1).toMillis());
        assertThat(RetryAfter.millis("999999999", NOW)).isEqualTo(Duration.ofDays(1).toMillis());
    }
}
