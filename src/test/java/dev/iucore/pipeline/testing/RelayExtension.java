package dev.iucore.pipeline.testing;

import dev.iucore.pipeline.config.Setting;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real service running on a test class's database for all its tests, with {@link RelayData}
 * at hand. Register it after the {@link DatabaseExtension} it runs on:
 * {@code @RegisterExtension static final RelayExtension RELAY = new RelayExtension(DB, "my-node");}
 */
public final class RelayExtension implements BeforeAllCallback, AfterAllCallback {

    private final DatabaseExtension database;
    private final String node;
    private final Supplier<Map<Setting, String>> overrides;
    private final Supplier<Map<String, String>> properties;
    private RunningPipeline pipeline;
    private RelayData data;

    public RelayExtension(DatabaseExtension database, String node) {
        this(database, node, Map::of);
    }

    /** @param overrides settings of the service, read when it starts (after the extensions before it) */
    public RelayExtension(DatabaseExtension database, String node, Supplier<Map<Setting, String>> overrides) {
        this(database, node, overrides, Map::of);
    }

    /** @param properties further properties by key (named ones: {@code iu.kafka.clusters.east.…}), read when it starts */
    public RelayExtension(DatabaseExtension database, String node, Supplier<Map<Setting, String>> overrides,
                          Supplier<Map<String, String>> properties) {
        this.database = database;
        this.node = node;
        this.overrides = overrides;
        this.properties = properties;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        data = new RelayData(database.db());
        pipeline = RunningPipeline.start(database.db(), node, overrides.get(), properties.get());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    public RunningPipeline pipeline() {
        return pipeline;
    }

    public RelayData data() {
        return data;
    }
}
