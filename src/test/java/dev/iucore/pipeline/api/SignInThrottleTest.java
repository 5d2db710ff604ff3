package dev.iucore.pipeline.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The sign-in throttle on a clock the test moves: when it holds, for how long, and what clears it. */
class SignInThrottleTest {

    private final MovableClock clock = new MovableClock();
    private final SignInThrottle throttle = new SignInThrottle(3, clock);

    @Test
    void theLimitsFailureLocksFor30sAndEachFurtherOneDoublesTheLockUpTo15Minutes() {
        throttle.failed("alice", "10.0.0.1");
        throttle.failed("alice", "10.0.0.1");
        assertThat(throttle.refusal("alice", "10.0.0.1")).isEmpty();
        throttle.failed("alice", "10.0.0.1");
        assertThat(throttle.refusal("alice", "10.0.0.1")).hasValue(Duration.ofSeconds(30));
        assertThat(throttle.refusal("alice", "10.0.0.2")).as("the user from elsewhere").hasValue(Duration.ofSeconds(30));
        assertThat(throttle.refusal("bob", "10.0.0.1")).as("another user from the address").hasValue(Duration.ofSeconds(30));
        assertThat(throttle.refusal("bob", "10.0.0.2")).isEmpty();

        clock.advance(Duration.ofSeconds(31));
        assertThat(throttle.refusal("alice", "10.0.0.1")).isEmpty();
        throttle.failed("alice", "10.0.0.1");
        assertThat(throttle.refusal("alice", "10.0.0.1")).hasValue(Duration.ofSeconds(60));
        for (int i = 0; i < 10; i++) {
            throttle.failed("alice", "10.0.0.1");
        }
        assertThat(throttle.refusal("alice", "10.0.0.1")).hasValue(SignInThrottle.LONGEST_LOCK);
    }

    @Test
    void aSignInThatSucceedsClearsTheCountsOfTheUserAndTheAddress() {
        throttle.failed("alice", "10.0.0.1");
        throttle.failed("alice", "10.0.0.1");
        throttle.succeeded("alice", "10.0.0.1");
        throttle.failed("alice", "10.0.0.1");
        throttle.failed("alice", "10.0.0.1");
        assertThat(throttle.refusal("alice", "10.0.0.1")).isEmpty();
        assertThat(SignInThrottle.seconds(Duration.ofMillis(29_001))).isEqualTo(30);
    }

    private static final class MovableClock extends Clock {
        private Instant now = Instant.parse("2026-12-01T12:00:00Z");

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
