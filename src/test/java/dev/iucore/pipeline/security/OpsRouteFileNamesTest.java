package dev.iucore.pipeline.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.routes.OpsRoutes;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.LogCapture;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.RunningPipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, item 2: a file named {@code zz-*.yaml} once became a Camel include wildcard, so a file
 * the check had rejected ({@code zz-evil.yaml}) was loaded at the next start. A name is only a name.
 */
class OpsRouteFileNamesTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @TempDir
    Path routesDir;

    private static final String ROUTE = """
            - route:
                id: %s
                from:
                  uri: timer:%s
                  parameters:
                    period: 60000
                  steps:
                    - %s
            """;

    @Test
    void aFileNamedLikeAnIncludeWildcardLoadsOnlyItselfAtStartAndTheRejectedFileStaysOut() throws Exception {
        Files.writeString(routesDir.resolve("zz-*.yaml"), ROUTE.formatted("ops-star", "ops-star", "to: direct:outbox-wake"));
        Files.writeString(routesDir.resolve("zz-evil.yaml"), ROUTE.formatted("ops-evil", "ops-evil", "to: \"exec:sh\""));
        RelayData data = new RelayData(DB.db());
        data.registerType("test.ops_names", "live").route("ops-names", "test.ops_names", "log:ops-names").openGates(false, "ops-names");
        try (LogCapture log = LogCapture.text(OpsRoutes.class.getName());
             RunningPipeline pipeline = RunningPipeline.start(DB.db(), "ops-names", Map.of(Setting.ROUTES_DIR, routesDir.toString()))) {
            assertThat(pipeline.camelContext().getRoute("ops-star")).isNotNull();
            assertThat(pipeline.camelContext().getRoute("ops-evil")).isNull();
            assertThat(pipeline.camelContext().getEndpoints()).noneMatch(e -> e.getEndpointUri().startsWith("exec"));
            assertThat(log.output()).contains("routes file " + routesDir.resolve("zz-evil.yaml")
                    + " rejected, left out at start; the other routes start without it: line 8: endpoint scheme `exec` is not allowed");
            UUID event = data.event("test.ops_names", "a-1", "{}");
            await().atMost(OpsRoutesService.WAIT)
                    .until(() -> "delivered".equals(data.deliveryStatus(event, "ops-names")));
        }
    }
}
