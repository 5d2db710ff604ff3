package dev.iucore.pipeline.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.LogCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.apache.camel.component.timer.TimerEndpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, items 2 and 10: each way an ops route file got around the route-file check, tried
 * against the running service. Every attempt is refused, nothing of it runs or is created, and the
 * routes that ran keep running: an operator's heartbeat route, and the relay, which still delivers.
 * The include wildcard of a file's name needs a start of its own: {@link OpsRouteFileNamesTest}.
 */
class OpsRouteFileAttacksTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @TempDir
    static Path routesDir;
    @TempDir
    static Path drafts;
    @TempDir
    static Path outside;

    private static final String RUNTIME_PASSWORD = "runtime-pw-" + UUID.randomUUID();
    private static final String OWNER_PASSWORD = "owner-pw-" + UUID.randomUUID();

    private static LogCapture log;
    private static OpsRoutesService service;

    @BeforeAll
    static void start() {
        log = LogCapture.text("dev.iucore", "org.apache.camel");
        service = new OpsRoutesService(DB.db(), "ops-attacks", routesDir, drafts,
                Map.of(Setting.DB_PASSWORD, RUNTIME_PASSWORD, Setting.DB_OWNER_PASSWORD, OWNER_PASSWORD));
        service.write("heartbeat.yaml", """
                - route:
                    id: ops-heartbeat
                    from:
                      uri: timer:ops-heartbeat
                      parameters:
                        period: 60000
                      steps:
                        - to: direct:outbox-wake
                """);
        await().atMost(OpsRoutesService.WAIT).until(() -> service.running("ops-heartbeat"));
    }

    @AfterAll
    static void stop() {
        service.close();
        log.close();
    }

    /** After every attack: no secret in the whole log, and what ran still runs. */
    @AfterEach
    void theRunningRoutesKeepGoingAndNoSecretWasLogged() {
        assertThat(service.running("ops-heartbeat")).isTrue();
        assertThat(service.relayDelivers()).isTrue();
        assertThat(log.output()).doesNotContain(RUNTIME_PASSWORD).doesNotContain(OWNER_PASSWORD)
                .doesNotContain(System.getenv("IU_WEBHOOK_SECRET_TEST"));
    }

    private static String timerRoute(String id, String... steps) {
        StringBuilder yaml = new StringBuilder("""
                - route:
                    id: %s
                    from:
                      uri: timer:%s
                      parameters:
                        period: 100
                      steps:
                """.formatted(id, id));
        for (String step : steps) {
            yaml.append("        - ").append(step).append('\n');
        }
        return yaml.toString();
    }

    @Test
    void aRouteLevelDeadLetterChannelToHttpOrAFileIsRefused() throws Exception {
        Path dead = outside.resolve("dead-letters");
        for (String deadLetterUri : new String[] {"http://127.0.0.1:9/steal", "file:" + dead}) {
            service.writeRejected("dead-letter.yaml", """
                    - route:
                        id: ops-dead-letter
                        errorHandler:
                          deadLetterChannel:
                            deadLetterUri: "%s"
                        from:
                          uri: timer:ops-dead-letter
                          parameters:
                            period: 100
                          steps:
                            - setBody:
                                simple: "${routeId}"
                            - to: direct:no-such-consumer
                    """.formatted(deadLetterUri));
            assertThat(service.route("ops-dead-letter")).isNull();
        }
        assertThat(dead).doesNotExist();
        assertThat(log.output()).contains("routes file " + routesDir.resolve("dead-letter.yaml")
                + " rejected, not applied; the running routes are unchanged: line 3: `errorHandler` is not allowed in a route");
    }

    @Test
    void simpleAndPlaceholdersThatReachSecretsBeansOrTheEnvironmentAreRefused() {
        String[] reaches = {
            "log: \"{{iu.db.owner-password}}\"",
            "log: \"{{iu.db.password}}\"",
            "log: \"{{env:IU_WEBHOOK_SECRET_TEST}}\"",
            "log: \"${env.IU_WEBHOOK_SECRET_TEST}\"",
            "log: \"${sysenv.IU_WEBHOOK_SECRET_TEST}\"",
            "log: \"${properties:iu.db.owner-password}\"",
            "log: \"${bean:dataSource?method=getConnection}\"",
            "setBody: {simple: \"${camelContext.registry}\"}",
            "toD: \"log:x-${env:IU_WEBHOOK_SECRET_TEST}\"",
            // a URI computed at run time could carry any option, a header holding #class:… too
            "toD: \"seda:x?size=${header.size}\"",
        };
        for (String reach : reaches) {
            service.writeRejected("reach.yaml", timerRoute("ops-reach", reach));
            assertThat(service.route("ops-reach")).as(reach).isNull();
        }
    }

    @Test
    void passwordsAreNoCamelPropertiesNotEvenFromSystemPropertiesOrTheEnvironment() {
        CamelContext camel = service.pipeline().camelContext();
        System.setProperty(Setting.DB_OWNER_PASSWORD.key(), OWNER_PASSWORD);
        try {
            assertThat(camel.getPropertiesComponent().resolveProperty(Setting.DB_OWNER_PASSWORD.key())).isEmpty();
            assertThat(camel.getPropertiesComponent().resolveProperty(Setting.DB_PASSWORD.key())).isEmpty();
            // the build sets IU_WEBHOOK_SECRET_TEST: Camel's default would find it as iu.test.webhook-secret
            assertThat(camel.getPropertiesComponent().resolveProperty("iu.test.webhook-secret")).isEmpty();
            assertThat(camel.getPropertiesComponent().loadProperties().stringPropertyNames())
                    .doesNotContain(Setting.DB_OWNER_PASSWORD.key(), Setting.DB_PASSWORD.key(), Setting.DB_URL.key())
                    .contains(Setting.RELAY_POLL_INTERVAL_MS.key());
        } finally {
            System.clearProperty(Setting.DB_OWNER_PASSWORD.key());
        }
    }

    @Test
    void sqlFromAFileOrAsFreeTextIsRefused() throws Exception {
        Path script = Files.writeString(outside.resolve("evil.sql"), "DELETE FROM iu_route_delivery");
        long deliveries = DB.db().count("iu_route_delivery");
        for (String sql : new String[] {"to: \"sql:file:" + script + "\"", "to: \"sql:DELETE FROM iu_route_delivery\"",
                "to: \"sql:SELECT fn_iu_core_gate_set('delivery_enabled', 'false', 'ops', 'x')\""}) {
            service.writeRejected("sql.yaml", timerRoute("ops-sql", sql));
            assertThat(service.route("ops-sql")).as(sql).isNull();
        }
        assertThat(DB.db().count("iu_route_delivery")).isGreaterThanOrEqualTo(deliveries);
    }

    @Test
    void aClassNamedInARejectedFileIsNeverConstructedNotEvenByTheCheck() {
        Path marker = outside.resolve("constructed");
        ConstructorMarker.marker = marker;
        String formatter = "#class:" + ConstructorMarker.class.getName();
        service.writeRejected("class.yaml", timerRoute("ops-class", "to: \"log:x?exchangeFormatter=" + formatter + "\""));
        service.writeRejected("class.yaml", timerRoute("ops-class", "to: {uri: \"log:x\", parameters: {exchangeFormatter: \""
                + formatter + "\"}}"));
        service.writeRejected("class.yaml", """
                - beans:
                    - name: marker
                      type: %s
                """.formatted(ConstructorMarker.class.getName()) + timerRoute("ops-class", "log: a"));
        service.writeRejected("class.yaml", timerRoute("ops-class", "bean: {beanType: " + ConstructorMarker.class.getName()
                + ", method: toString}"));
        assertThat(service.route("ops-class")).isNull();
        assertThat(marker).doesNotExist();
        assertThat(log.output()).contains("option `exchangeFormatter` of a `log:` endpoint is not allowed in an ops route");
    }

    @Test
    void theTextThatWasCheckedIsWhatRunsNotTheFileReadAgain() throws Exception {
        // the file changed after it was read and checked: what runs is the checked text, never a second read
        Path file = Files.writeString(outside.resolve("swapped.yaml"), timerRoute("ops-swapped", "to: \"exec:sh\""));
        String checked = timerRoute("ops-swapped", "to: direct:outbox-wake").replace("period: 100", "period: 45000");
        CamelContext camel = service.pipeline().camelContext();
        assertThat(service.pipeline().service().opsRoutes().apply(camel, file, checked, "test")).isTrue();
        assertThat(service.running("ops-swapped")).isTrue();
        assertThat(((TimerEndpoint) service.route("ops-swapped").getEndpoint()).getPeriod()).isEqualTo(45_000);
        assertThat(camel.getEndpoints()).noneMatch(endpoint -> endpoint.getEndpointUri().startsWith("exec"));
    }
}
