package dev.iucore.pipeline.routes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.iucore.pipeline.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/** The ops rules and Camel's own reading of a route file, in a context that never starts. */
class RouteFileValidatorTest {

    @TempDir
    Path dir;

    private final RouteFileValidator validator = new RouteFileValidator(
            Settings.load(Map.of(), new Properties()).asMap(), new PGSimpleDataSource());

    private RouteFileReport check(String yaml) throws Exception {
        Path file = dir.resolve("ops.yaml");
        Files.writeString(file, yaml);
        return validator.validate(file);
    }

    @Test
    void aScheduleThatCallsTheServicesRoutesAndRunsSqlPasses() throws Exception {
        RouteFileReport report = check("""
                - route:
                    id: ops-wake-faster
                    description: wake the dispatcher every 200 ms
                    from:
                      uri: timer:ops-wake-faster
                      parameters:
                        period: 200
                      steps:
                        - to: direct:outbox-wake
                - route:
                    id: ops-nightly
                    from:
                      uri: quartz:ops/nightly
                      parameters:
                        cron: "{{iu.retention.cron}}"
                      steps:
                        - to:
                            uri: "sql:SELECT count(*) FROM event_outbox"
                            parameters:
                              dataSource: "#dataSource"
                        - toD: "log:ops-${header.CamelSqlRowCount}"
                        - bean:
                            ref: retentionRunner
                            method: "run('ops', true)"
                """);
        assertThat(report.errors()).isEmpty();
        assertThat(report.routes()).containsExactly("ops-wake-faster", "ops-nightly");
    }

    @Test
    void invalidYamlIsReportedWithItsLine() throws Exception {
        RouteFileReport report = check("""
                - route:
                    id: ops-broken
                    from:
                      uri: timer:x
                      steps:
                        - to: "log:a"
                       - oops: [
                """);
        assertThat(report.valid()).isFalse();
        assertThat(report.errors()).singleElement().satisfies(e -> {
            assertThat(e.line()).isEqualTo(7);
            assertThat(e.message()).startsWith("invalid YAML: ");
        });
    }

    @Test
    void anEndpointOutsideTheAllowlistIsRejectedAtItsLineAndNeverResolved() throws Exception {
        RouteFileReport report = check("""
                - route:
                    id: ops-escape
                    from:
                      uri: timer:ops-escape
                      steps:
                        - to: "exec:rm?args=-rf /"
                        - to: "file:/etc"
                        - to: "https://example.org/leak"
                        - to: "bean:retentionRunner"
                """);
        assertThat(report.errors()).extracting(RouteProblem::line).containsExactly(6, 7, 8, 9);
        assertThat(report.errors()).allSatisfy(e -> assertThat(e.message())
                .contains("is not allowed in an ops route").contains("allowed: timer, quartz, direct, seda, log, sql"));
        assertThat(report.errors().get(0).message()).contains("scheme `exec`");
    }

    @Test
    void anUnknownStepAnUnknownOptionAndAMissingPropertyAreEachReported() throws Exception {
        assertThat(check("""
                - route:
                    id: ops-dsl
                    from:
                      uri: timer:x
                      steps:
                        - frobnicate:
                            level: 3
                """).errors()).singleElement().satisfies(e -> {
            assertThat(e.line()).isEqualTo(6);
            assertThat(e.message()).contains("frobnicate");
        });
        assertThat(check("""
                - route:
                    id: ops-options
                    from:
                      uri: timer:x
                      parameters:
                        perod: 100
                      steps:
                        - to: "seda:y?sizee=3"
                        - log: "{{iu.no.such.property}}"
                        - to: "direct:{{iu.no.such.property}}"
                """).errors()).extracting(RouteProblem::line, e -> e.message().split(":")[0])
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(4, "endpoint timer"),
                        org.assertj.core.groups.Tuple.tuple(8, "endpoint seda"),
                        org.assertj.core.groups.Tuple.tuple(10, "Property with key [iu.no.such.property] not found in properties from text"));
    }

    @Test
    void beansBlocksBeanTypesAndRuntimeEndpointsAreNotAllowed() throws Exception {
        RouteFileReport report = check("""
                - beans:
                    - name: runner
                      type: java.lang.ProcessBuilder
                - route:
                    id: ops-typed
                    from:
                      uri: timer:x
                      steps:
                        - bean:
                            beanType: java.lang.Runtime
                            method: getRuntime
                """);
        assertThat(report.errors()).extracting(RouteProblem::line).containsExactly(1, 10);
        assertThat(report.errors().get(0).message()).startsWith("`beans` is not allowed in an ops route file");
        assertThat(report.errors().get(1).message()).startsWith("`beanType` creates an object of any class");

        assertThat(check("""
                - route:
                    id: ops-dynamic
                    from:
                      uri: timer:x
                      steps:
                        - recipientList:
                            simple: "${header.targets}"
                        - toD: "${header.scheme}:somewhere"
                """).errors()).extracting(RouteProblem::line).containsExactly(6, 8);
    }

    @Test
    void everyRouteNeedsAnIdUniqueInItsFile() throws Exception {
        assertThat(check("""
                - route:
                    from:
                      uri: timer:x
                      steps:
                        - log: a
                - route:
                    id: twice
                    from:
                      uri: timer:y
                      steps:
                        - log: b
                - route:
                    id: twice
                    from:
                      uri: timer:z
                      steps:
                        - log: c
                """).errors()).extracting(RouteProblem::line, RouteProblem::message).containsExactly(
                org.assertj.core.groups.Tuple.tuple(1, "the route has no `id`: a reload replaces routes by id"),
                org.assertj.core.groups.Tuple.tuple(12, "route id `twice` is defined twice in this file"));
    }
}
