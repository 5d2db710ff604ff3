package dev.iucore.pipeline.security;

import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.testing.Http11;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.RunningPipeline;
import dev.iucore.pipeline.testing.TestDb;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;

/**
 * The real service with an operator's routes directory, as an attacker who may write there sees
 * it: files dropped in, and what then runs. A log route in the route table shows that the relay
 * still delivers after each attempt.
 */
final class OpsRoutesService implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = Http11.client();

    private final Path routesDir;
    private final Path drafts;
    private final RelayData data;
    private final String routeKey;
    private final String eventType;
    private final RunningPipeline pipeline;

    /** @param name the node, and the relay's test route and event type */
    OpsRoutesService(TestDb db, String name, Path routesDir, Path drafts, Map<Setting, String> settings) {
        this.routesDir = routesDir;
        this.drafts = drafts;
        this.data = new RelayData(db);
        this.routeKey = name;
        this.eventType = "test." + name.replace('-', '_');
        data.registerType(eventType, "live").route(routeKey, eventType, "log:" + name).openGates(false, routeKey);
        Map<Setting, String> all = new HashMap<>(settings);
        all.put(Setting.ROUTES_DIR, routesDir.toString());
        this.pipeline = RunningPipeline.start(db, name, all);
    }

    RunningPipeline pipeline() {
        return pipeline;
    }

    /** As an editor that saves safely does: the whole file appears at once. */
    Path write(String name, String yaml) {
        try {
            Path draft = Files.writeString(drafts.resolve(name.replace('*', '_')), yaml);
            return Files.move(draft, routesDir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the file and waits until the service has rejected it. */
    void writeRejected(String name, String yaml) {
        double before = files("rejected");
        write(name, yaml);
        await().atMost(WAIT).until(() -> files("rejected") >= before + 1);
    }

    double files(String outcome) {
        Counter counter = pipeline.service().metrics().registry().find("iu.ops.route.files").tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    Route route(String id) {
        return pipeline.camelContext().getRoute(id);
    }

    boolean running(String id) {
        return route(id) != null && pipeline.camelContext().getRouteController().getRouteStatus(id) == ServiceStatus.Started;
    }

    /** An event inserted now is delivered: dispatch, claim and attempt all still run. */
    boolean relayDelivers() {
        UUID event = data.event(eventType, "still-" + UUID.randomUUID(), "{}");
        await().atMost(WAIT).until(() -> "delivered".equals(data.deliveryStatus(event, routeKey)));
        return true;
    }

    /** Status code and body of {@code /observe/health/ready}, every check with its message. */
    HttpResponse<String> readiness() throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(pipeline.managementUrl("/observe/health/ready?exposureLevel=full")))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        pipeline.close();
    }
}
