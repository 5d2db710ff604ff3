package dev.iucore.pipeline.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.iucore.pipeline.delivery.AttemptResult.Outcome;
import org.junit.jupiter.api.Test;

/** A route's window: widened by quick successes up to its maximum, halved by failures and slow tries, down to one. */
class RouteWindowsTest {

    private final RouteWindows windows = new RouteWindows(4, 16, 1000);

    @Test
    void quickSuccessesWidenARouteOneSlotEachUntilItsFirstSetbackAndToItsMaximumAtMost() {
        assertThat(windows.limit("fast")).isEqualTo(4);
        for (int i = 0; i < 5; i++) {
            windows.ended("fast", AttemptResult.delivered(204, 2));
        }
        assertThat(windows.limit("fast")).as("slow start: one slot per success").isEqualTo(9);
        for (int i = 0; i < 100; i++) {
            windows.ended("fast", AttemptResult.delivered(204, 2));
        }
        assertThat(windows.limit("fast")).isEqualTo(16);
        assertThat(windows.limit("other")).as("another route keeps its own window").isEqualTo(4);
    }

    @Test
    void afterASetbackTheWindowGrowsAboutOneSlotPerWindowsWorthOfSuccesses() {
        for (int i = 0; i < 4; i++) {
            windows.ended("recovering", AttemptResult.delivered(204, 2));
        }
        windows.ended("recovering", AttemptResult.failed(Outcome.FAILED, 503, "HttpStatus", "HTTP 503", 5));
        assertThat(windows.limit("recovering")).isEqualTo(4);
        for (int i = 0; i < 10; i++) {
            windows.ended("recovering", AttemptResult.delivered(204, 2));
        }
        assertThat(windows.limit("recovering")).as("additive increase: about one slot per window's worth").isBetween(5, 7);
    }

    @Test
    void failuresTimeoutsAndSlowTriesHalveTheWindowDownToOne() {
        windows.ended("shaky", AttemptResult.failed(Outcome.FAILED, 503, "HttpStatus", "HTTP 503", 5));
        assertThat(windows.limit("shaky")).isEqualTo(2);
        windows.ended("shaky", AttemptResult.failed(Outcome.TIMEOUT, null, "HttpTimeoutException", "no response", 2000));
        assertThat(windows.limit("shaky")).isEqualTo(1);
        windows.ended("shaky", AttemptResult.delivered(200, 1500));
        assertThat(windows.limit("shaky")).as("a success slower than slow-try-ms counts against it, never below one").isEqualTo(1);
    }

    @Test
    void aPermanentFailureOrNoTrySaysNothingOfTheTargetsCapacity() {
        windows.ended("config", AttemptResult.failed(Outcome.PERMANENT_FAILURE, 404, "HttpStatus", "HTTP 404", 3));
        windows.ended("config", null);
        assertThat(windows.limit("config")).isEqualTo(4);
        assertThat(windows.adjusted()).doesNotContain("config");
    }

    @Test
    void aStartAboveItsMaximumIsRefused() {
        assertThatThrownBy(() -> new RouteWindows(8, 4, 1000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most its maximum 4");
    }
}
