package dev.iucore.pipeline.testing;

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
    private RunningPipeline pipeline;
    private RelayData data;

    public RelayExtension(DatabaseExtension database, String node) {
        this.database = database;
        this.node = node;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        data = new RelayData(database.db());
        pipeline = RunningPipeline.start(database.db(), node);
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
