package dev.iucore.pipeline.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.health.CoreRoutesReadiness;
import dev.iucore.pipeline.testing.DatabaseExtension;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, item 4: a reload that fails to start under a packaged route's id once removed that
 * route ({@code delivery-wake}) while readiness stayed UP, and deliveries stalled. Now the packaged
 * route runs again, and readiness is DOWN for as long as any core route is missing.
 */
class CoreRoutesRestoredTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @TempDir
    static Path routesDir;
    @TempDir
    static Path drafts;

    private static OpsRoutesService service;

    @BeforeAll
    static void start() {
        service = new OpsRoutesService(DB.db(), "core-routes", routesDir, drafts, Map.of());
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    private static String wakeEndpoint() {
        return service.route("delivery-wake").getEndpoint().getEndpointUri();
    }

    @Test
    void aReloadThatCannotStartUnderACoreRouteIdBringsThePackagedRouteBackAndDeliveriesGoOn() throws Exception {
        double rejected = service.files("rejected");
        // passes the check, fails to start: direct:outbox-wake has its consumer already
        service.write("wake.yaml", """
                - route:
                    id: delivery-wake
                    from:
                      uri: direct:outbox-wake
                      steps:
                        - log: "taken over"
                """);
        await().atMost(OpsRoutesService.WAIT).until(() -> service.files("rejected") == rejected + 1);

        assertThat(service.running("delivery-wake")).isTrue();
        assertThat(wakeEndpoint()).isEqualTo("direct://delivery-wake");
        assertThat(service.readiness().statusCode()).isEqualTo(200);
        assertThat(service.relayDelivers()).isTrue();
    }

    @Test
    void readinessIsDownWhileACoreRouteIsMissingAndUpOnceItRunsAgain() throws Exception {
        service.pipeline().camelContext().getRouteController().stopRoute("delivery-wake");
        service.pipeline().camelContext().removeRoute("delivery-wake");

        HttpResponse<String> down = service.readiness();
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(down.body()).contains(CoreRoutesReadiness.ID).contains("core routes not running: delivery-wake");

        // the operator puts it back with a file of the same id: core again, and ready
        service.write("wake-back.yaml", """
                - route:
                    id: delivery-wake
                    description: the packaged wake-up, put back by hand
                    from:
                      uri: direct:delivery-wake
                      steps:
                        - to:
                            uri: seda:delivery-claim
                            parameters:
                              size: 1
                              discardWhenFull: true
                """);
        await().atMost(OpsRoutesService.WAIT).until(() -> service.readiness().statusCode() == 200);
        assertThat(service.readiness().body()).contains("all ").contains(" core routes running");
        assertThat(service.relayDelivers()).isTrue();
    }
}
