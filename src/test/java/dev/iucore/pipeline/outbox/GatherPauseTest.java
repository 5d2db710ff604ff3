package dev.iucore.pipeline.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@link GatherPause}: the dispatcher's pause counts from the start of the pass it follows. */
class GatherPauseTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final GatherPause pause = new GatherPause(10, now::get);

    @Test
    void theFirstPassRunsAtOnce() {
        assertThat(pause.remainingMs()).isZero();
    }

    @Test
    void aQuickPassIsFollowedByWhatIsLeftOfThePause() {
        pause.passStarts();
        elapse(3.0);
        assertThat(pause.remainingMs()).isEqualTo(7);
        elapse(2.5);
        assertThat(pause.remainingMs()).as("rounded up, never shorter than asked").isEqualTo(5);
    }

    @Test
    void aPassAsLongAsThePauseOrLongerIsFollowedAtOnce() {
        pause.passStarts();
        elapse(10.0);
        assertThat(pause.remainingMs()).isZero();
        pause.passStarts();
        elapse(37.0);
        assertThat(pause.remainingMs()).isZero();
        pause.passStarts();
        elapse(1.0);
        assertThat(pause.remainingMs()).as("each pass timed from its own start").isEqualTo(9);
    }

    @Test
    void noPauseSetNeverPauses() {
        GatherPause none = new GatherPause(0, now::get);
        none.passStarts();
        assertThat(none.remainingMs()).isZero();
    }

    private void elapse(double ms) {
        now.addAndGet((long) (ms * TimeUnit.MILLISECONDS.toNanos(1)));
    }
}
