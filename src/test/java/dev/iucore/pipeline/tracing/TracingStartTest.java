package dev.iucore.pipeline.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.iucore.pipeline.cli.ExitCode;
import dev.iucore.pipeline.testing.Cli;
import dev.iucore.pipeline.testing.DatabaseExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code run} with tracing configured as the artifact cannot do it (here by {@code -Dotel.*}, which
 * the SDK reads like the OTEL_* variables and over them) does not start: one line naming the cause.
 */
class TracingStartTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @Test
    void runRefusesToStartWhenTracingIsConfiguredForGrpcAndSaysWhichProtocolToUse() {
        System.setProperty("otel.traces.exporter", "otlp");
        System.setProperty("otel.exporter.otlp.protocol", "grpc");
        Cli.Result run;
        try {
            run = Cli.run(DB.db().settings(), "run");
        } finally {
            System.clearProperty("otel.traces.exporter");
            System.clearProperty("otel.exporter.otlp.protocol");
        }
        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(ExitCode.FAILED);
        assertThat(run.err()).contains("tracing cannot start").contains("OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf")
                .containsIgnoringCase("grpc").doesNotContain("\tat ");
    }
}
