package dev.iucore.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.ConcurrentModificationException;
import org.junit.jupiter.api.Test;

class ErrorsTest {

    @Test
    void aFailureWithAMessageIsThatMessageAndNeedsNoStackTrace() {
        IllegalStateException error = new IllegalStateException("the dispatch pass failed: gate missing");
        assertThat(Errors.describe(error)).isEqualTo("the dispatch pass failed: gate missing");
        assertThat(Errors.isUnexplained(error)).isFalse();
    }

    @Test
    void aFailureWithoutAMessageIsNamedAnInternalErrorAndItsStackTraceIsPrinted() {
        ConcurrentModificationException error = new ConcurrentModificationException();
        assertThat(Errors.describe(error)).isEqualTo("ConcurrentModificationException (an internal error; its stack trace follows)");
        assertThat(Errors.isUnexplained(error)).isTrue();
    }

    @Test
    void aDatabaseFailureIsExplainedByTheDatabaseEvenWhenItsWrapperSaysNothing() {
        RuntimeException error = new RuntimeException(null, new SQLException("connection refused", "08001"));
        assertThat(Errors.isUnexplained(error)).isFalse();
        assertThat(Errors.describe(error)).startsWith("cannot reach the database: connection refused");
    }
}
