package dev.iucore.pipeline.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.iucore.pipeline.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/** The ops allowlist and Camel's own reading of a route file, in a context that never starts. */
class RouteFileValidatorTest {

    @TempDir
    Path dir;

    private final RouteFileValidator validator = new RouteFileValidator(
            Settings.load(Map.of(), new Properties()).camelProperties(), new PGSimpleDataSource());

    private RouteFileReport check(String yaml) throws Exception {
        Path file = dir.resolve("ops.yaml");
        Files.writeString(file, yaml);
        return validator.validate(file);
    }

    @Test
    void aScheduleThatCallsTheServicesRoutesLogsAndRunsANamedSqlActionPasses() throws Exception {
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
                        - to: "sql:SELECT * FROM fn_iu_core_retention_cleanup('ops', true)"
                        - log: "${header.CamelSqlRowCount} retention targets"
                        - split:
                            simple: "${body}"
                            steps:
                              - filter:
                                  simple: "${body[rows_eligible]} > 0"
                                  steps:
                                    - setHeader:
                                        name: target
                                        simple: "${body[target]}"
                                    - log: "${date:now:yyyy-MM-dd} ${header.target}: ${body[rows_eligible]} rows eligible"
                        - choice:
                            when:
                              - simple: "${header.CamelSqlRowCount} == 0"
                                steps:
                                  - log:
                                      loggingLevel: WARN
                                      message: "no retention target in ${routeId}"
                            otherwise:
                              steps:
                                - setBody:
                                    constant: done
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
            assertThat(e.message()).startsWith("step `frobnicate` is not allowed in an ops route; allowed: to, log, setHeader");
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
                """).errors()).extracting(RouteProblem::line, e -> e.message().split(";")[0]).containsExactly(
                tuple(9, "placeholder {{iu.no.such.property}} is not allowed in an ops route"),
                tuple(4, "option `perod` of a `timer:` endpoint is not allowed in an ops route"),
                tuple(8, "option `sizee` of a `seda:` endpoint is not allowed in an ops route"));
        // past the allowlist, Camel's own reading: a value of the wrong type
        assertThat(check("""
                - route:
                    id: ops-types
                    from:
                      uri: timer:x
                      steps:
                        - to: "seda:y?size=big"
                """).errors()).singleElement().satisfies(e -> assertThat(e.message()).startsWith("endpoint seda:y?size=big cannot be resolved"));
    }

    @Test
    void beansBeanStepsRouteErrorHandlersAndRuntimeEndpointsAreNotAllowed() throws Exception {
        RouteFileReport report = check("""
                - beans:
                    - name: runner
                      type: java.lang.ProcessBuilder
                - route:
                    id: ops-typed
                    errorHandler:
                      deadLetterChannel:
                        deadLetterUri: "file:/tmp/dead"
                    from:
                      uri: timer:x
                      steps:
                        - bean:
                            beanType: java.lang.Runtime
                            method: getRuntime
                """);
        assertThat(report.errors()).extracting(RouteProblem::line).containsExactly(1, 6);
        assertThat(report.errors().get(0).message()).startsWith("`beans` is not allowed in an ops route file");
        assertThat(report.errors().get(1).message()).startsWith("`errorHandler` is not allowed in a route of an ops route");

        assertThat(check("""
                - route:
                    id: ops-dynamic
                    from:
                      uri: timer:x
                      steps:
                        - recipientList:
                            simple: "${header.targets}"
                        - toD: "seda:x?size=${header.size}"
                        - bean:
                            ref: retentionRunner
                """).errors()).extracting(RouteProblem::line).containsExactly(6, 8, 9);
    }

    @Test
    void placeholdersAndSimpleFunctionsBeyondTheMessageAreNotAllowed() throws Exception {
        RouteFileReport report = check("""
                - route:
                    id: ops-reach
                    from:
                      uri: timer:x
                      steps:
                        - log: "{{iu.db.owner-password}}"
                        - log: "{{env:IU_DB_PASSWORD}}"
                        - log: "${env.IU_DB_PASSWORD}"
                        - log: "${sysenv.HOME} ${sys.user.home}"
                        - log: "${bean:dataSource?method=getConnection}"
                        - log: "${properties:iu.db.password}"
                        - log: "$simple{exchangeProperty.iuDelivery}"
                        - log: "${header.x.class.classLoader}"
                        - filter:
                            simple: "${body} is 'java.lang.Runtime'"
                        - log: "\\x7B\\x7Biu.db.password}}"
                """);
        assertThat(report.errors()).extracting(RouteProblem::line).containsExactly(6, 7, 8, 9, 10, 11, 12, 13, 16, 15);
        assertThat(report.errors().get(0).message()).startsWith("placeholder {{iu.db.owner-password}} is not allowed");
        assertThat(report.errors().get(2).message()).startsWith("Simple function ${env.IU_DB_PASSWORD} is not allowed");
        assertThat(report.errors().get(8).message()).startsWith("placeholder {{iu.db.password}} is not allowed");
        assertThat(report.errors().get(9).message()).startsWith("Simple's `is` test loads a class by name");
    }

    @Test
    void sqlRunsOnlyANamedActionNeverAFileOrFreeText() throws Exception {
        RouteFileReport report = check("""
                - route:
                    id: ops-sql
                    from:
                      uri: timer:x
                      steps:
                        - to: "sql:file:/etc/iu-core/evil.sql"
                        - to: "sql:classpath:evil.sql"
                        - to: "sql:DELETE FROM event_outbox"
                        - to: "sql:SELECT fn_iu_core_gate_set('delivery_enabled', 'true', 'ops', 'x')"
                        - to: "sql:SELECT fn_iu_core_gate_open('delivery_enabled'); DELETE FROM event_outbox"
                        - to: "sql:SELECT fn_iu_core_gate_open('a%27)')"
                        - to:
                            uri: "sql:SELECT fn_iu_core_gate_open(:#gate)"
                            parameters:
                              dataSource: "#class:org.postgresql.ds.PGSimpleDataSource"
                        - to: "sql:SELECT fn_iu_core_gate_open(:#gate)"
                """);
        assertThat(report.errors()).extracting(RouteProblem::line).containsExactly(6, 7, 8, 9, 10, 11, 13);
        assertThat(report.errors().get(0).message()).contains("its path must be SELECT <action>(<arguments>)");
        assertThat(report.errors().get(6).message()).startsWith("option `dataSource` of a `sql:` endpoint is not allowed");
    }

    @Test
    void anAllowedOptionMayNotNameABeanOrAClassInAnySpelling() throws Exception {
        RouteFileReport report = check("""
                - route:
                    id: ops-refs
                    from:
                      uri: "timer:x?period=#class:java.lang.Object"
                      steps:
                        - to: "seda:a?size=RAW(#class:java.lang.Object)"
                        - to: "seda:b?size=%23type:javax.sql.DataSource"
                        - to:
                            uri: "seda:c"
                            parameters:
                              timeout: "RAW{#bean:dataSource}"
                """);
        assertThat(report.errors()).extracting(RouteProblem::line).containsExactly(4, 6, 7, 9);
        assertThat(report.errors()).allSatisfy(e -> assertThat(e.message()).contains("names a bean or a class"));
    }

    @Test
    void aYamlAnchorOrTagIsNotAllowed() throws Exception {
        assertThat(check("""
                - route:
                    id: ops-anchor
                    from: &input
                      uri: timer:x
                      steps:
                        - log: a
                - route:
                    id: ops-alias
                    from: *input
                - route:
                    id: ops-tag
                    from:
                      uri: !!binary dGltZXI6eA==
                """).errors()).extracting(RouteProblem::line, RouteProblem::message).containsExactly(
                tuple(3, "YAML anchors and aliases are not allowed in an ops route file"),
                tuple(13, "YAML tag tag:yaml.org,2002:binary is not allowed in an ops route file"));
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
                tuple(1, "the route has no `id`: a reload replaces routes by id"),
                tuple(12, "route id `twice` is defined twice in this file"));
    }
}
