package dev.iucore.pipeline.testing;

import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.config.Settings;
import dev.iucore.pipeline.service.PipelineService;
import dev.iucore.pipeline.tracing.Tracing;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;

/**
 * The real service (Camel Main, the packaged YAML routes, the relay's beans) on a test database,
 * with short poll intervals so scenarios finish in moments. Several may run on one database.
 */
public final class RunningPipeline implements AutoCloseable {

    /** A Quartz cron that does not fire while a test runs. */
    public static final String NEVER = "0 0 0 1 1 ? 2099";
    /** A Quartz cron that fires every second. */
    public static final String EVERY_SECOND = "* * * * * ?";

    private final PipelineService service;
    private final CompletableFuture<Void> running;
    private final String managementPort;

    private RunningPipeline(Settings settings, TestDb db, Tracing tracing) {
        managementPort = settings.raw("camel.management.port").orElseThrow();
        // as on an external database: without a scheduler password Quartz keeps its schedule in memory
        service = new PipelineService(settings, db.runtime(),
                settings.optional(Setting.DB_SCHEDULER_PASSWORD).map(password -> db.scheduler()), tracing);
        running = CompletableFuture.runAsync(() -> {
            try {
                service.run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            if (running.isDone()) {
                running.join();
            }
            return service.started();
        });
    }

    public static RunningPipeline start(TestDb db, String node) {
        return start(db, node, Map.of());
    }

    public static RunningPipeline start(TestDb db, String node, Map<Setting, String> overrides) {
        return start(db, node, overrides, Map.of());
    }

    /** @param properties any further property by key, a named one included ({@code iu.kafka.clusters.east.…}) */
    public static RunningPipeline start(TestDb db, String node, Map<Setting, String> overrides,
                                        Map<String, String> properties) {
        return start(db, node, overrides, properties, Tracing.off());
    }

    /** @param tracing the service's spans: a test's in-memory exporter, say */
    public static RunningPipeline start(TestDb db, String node, Map<Setting, String> overrides, Tracing tracing) {
        return start(db, node, overrides, Map.of(), tracing);
    }

    private static RunningPipeline start(TestDb db, String node, Map<Setting, String> overrides,
                                         Map<String, String> properties, Tracing tracing) {
        Map<Setting, String> settings = new HashMap<>(Map.of(
                Setting.NODE_ID, node,
                Setting.RELAY_POLL_INTERVAL_MS, "100",
                Setting.DELIVERY_POLL_INTERVAL_MS, "100",
                Setting.RELAY_BATCH_SIZE, "200",
                Setting.DELIVERY_WORKERS, "8",
                Setting.METRICS_REFRESH_INTERVAL_MS, "200",
                // held events stay held unless a test schedules the delayed lane itself
                Setting.DELAYED_LANE_CRON, NEVER));
        settings.putAll(overrides);
        Settings configured = db.settings().with(settings);
        for (Map.Entry<String, String> property : properties.entrySet()) {
            configured = configured.withProperty(property.getKey(), property.getValue());
        }
        return new RunningPipeline(configured, db, tracing);
    }

    public CamelContext camelContext() {
        return service.camelContext();
    }

    public PipelineService service() {
        return service;
    }

    /** The management server: {@code managementUrl("/observe/metrics")}. */
    public String managementUrl(String path) {
        return "http://127.0.0.1:" + managementPort + path;
    }

    @Override
    public void close() {
        service.stop();
        try {
            running.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the pipeline did not stop cleanly: " + e.getMessage(), e);
        }
    }
}
