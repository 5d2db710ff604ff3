package dev.iucore.pipeline.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.LogCapture;
import dev.iucore.pipeline.testing.RunningPipeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The start-up log tells where health and metrics listen, as bound: loopback, not 0.0.0.0. */
class ManagementAddressTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @Test
    void theReadyLineNamesTheLoopbackAddressTheManagementServerIsBoundTo() {
        String log;
        try (LogCapture capture = LogCapture.text("dev.iucore.pipeline.service");
             RunningPipeline service = RunningPipeline.start(DB.db(), "management-address")) {
            log = capture.output();
        }
        assertThat(log).containsPattern("iu-core ready: \\d+ routes started; health and metrics on http://127\\.0\\.0\\.1:\\d+/observe")
                .doesNotContain("0.0.0.0");
    }
}
