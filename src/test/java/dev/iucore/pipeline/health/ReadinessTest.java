package dev.iucore.pipeline.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.iucore.pipeline.db.Migrator;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.Http11;
import dev.iucore.pipeline.testing.RunningPipeline;
import dev.iucore.pipeline.testing.TestPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The management server's health endpoints: ready only with the database answering and every migration applied. */
class ReadinessTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = Http11.client();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static RunningPipeline pipeline;

    @BeforeAll
    static void start() {
        pipeline = RunningPipeline.start(DB.db(), "health-test");
    }

    @AfterAll
    static void stop() {
        pipeline.close();
    }

    /** Status code and body of a health endpoint, every check shown. */
    private record Health(int status, JsonNode body) {
        String state() {
            return body.get("status").asText();
        }

        String check(String id) {
            for (JsonNode check : body.withArray("checks")) {
                if (check.get("name").asText().equals(id)) {
                    return check.get("status").asText() + (check.has("message") ? ": " + check.get("message").asText() : "");
                }
            }
            return "absent";
        }
    }

    private static Health get(String path) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                URI.create(pipeline.managementUrl(path + "?exposureLevel=full"))).build(), HttpResponse.BodyHandlers.ofString());
        return new Health(response.statusCode(), JSON.readTree(response.body()));
    }

    @Test
    void readyAndLiveWhileTheDatabaseAnswersAndEveryMigrationIsApplied() throws Exception {
        Health ready = get("/observe/health/ready");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.state()).isEqualTo("UP");
        assertThat(ready.check(DatabaseReadiness.ID)).isEqualTo("UP");
        assertThat(ready.check(MigrationsReadiness.ID)).startsWith("UP: all ").endsWith(" migrations applied");
        assertThat(get("/observe/health/live").status()).isEqualTo(200);
        assertThat(get("/observe/health").check(DatabaseReadiness.ID)).isEqualTo("UP");
        // readiness only: a database outage must not get a live process restarted
        assertThat(get("/observe/health/live").check(DatabaseReadiness.ID)).isEqualTo("absent");
    }

    @Test
    void notReadyWhileAMigrationIsPendingAndReadyAgainOnceApplied() throws Exception {
        Migrator owner = new Migrator(DB.db().owner(), TestPostgres.RUNTIME);
        String newest = owner.applied().get(0).version();
        owner.rollback(newest);
        try {
            Health ready = get("/observe/health/ready");
            assertThat(ready.status()).isEqualTo(503);
            assertThat(ready.state()).isEqualTo("DOWN");
            assertThat(ready.check(MigrationsReadiness.ID)).isEqualTo("DOWN: migrations not applied: " + newest
                    + " (run `iu-core migrate` as the owner role)");
            assertThat(get("/observe/health/live").status()).isEqualTo(200);
        } finally {
            owner.migrate();
        }
        assertThat(get("/observe/health/ready").status()).isEqualTo(200);
    }

    @Test
    void notReadyWhileTheDatabaseRefusesConnectionsStillLiveAndReadyAgainAfter() throws Exception {
        refuseConnections(true);
        try {
            await().atMost(WAIT).untilAsserted(() -> {
                Health ready = get("/observe/health/ready");
                assertThat(ready.status()).isEqualTo(503);
                assertThat(ready.check(DatabaseReadiness.ID)).startsWith("DOWN: the database ");
            });
            assertThat(get("/observe/health/live").status()).isEqualTo(200);
        } finally {
            refuseConnections(false);
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(get("/observe/health/ready").status()).isEqualTo(200));
    }

    @Test
    void theManagementServerListensOnLoopbackOnly() throws Exception {
        int port = URI.create(pipeline.managementUrl("/")).getPort();
        // the kernel's own table of listening sockets (state 0A), local address in hex: 0100007F is
        // 127.0.0.1, and the JVM's dual-stack socket shows it as ::ffff:127.0.0.1
        List<String> listening = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines = Files.readAllLines(Path.of(table));
            for (String line : lines.subList(1, lines.size())) {
                String[] fields = line.trim().split("\\s+");
                String[] local = fields[1].split(":");
                if (fields[3].equals("0A") && Integer.parseInt(local[1], 16) == port) {
                    listening.add(local[0]);
                }
            }
        }
        assertThat(listening).isNotEmpty().allMatch(address -> address.equals("0100007F")
                || address.equals("0000000000000000FFFF00000100007F"));
    }

    /** The test database stops (or resumes) taking connections, and drops the ones it has. */
    private static void refuseConnections(boolean refuse) throws Exception {
        String name = DB.db().name();
        try (Connection c = TestPostgres.server().superuser("postgres").getConnection(); Statement s = c.createStatement()) {
            s.execute("ALTER DATABASE " + name + " WITH ALLOW_CONNECTIONS " + !refuse);
            if (refuse) {
                s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'");
            }
        }
    }
}
