package dev.iucore.pipeline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.ServiceJar;
import dev.iucore.pipeline.testing.TlsFiles;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Webhooks over TLS, as most receivers take them: the packaged service trusts the receiver's CA
 * the way an operator adds one ({@code JAVA_TOOL_OPTIONS} with {@code javax.net.ssl.trustStore}),
 * and its client runs its own steps, the handshake's among them, on its selector thread
 * (WebhookSender). A receiver it trusts gets every event, each once; one whose certificate it does
 * not trust gets none, each try is recorded failed with the TLS error (its circuit then opens), and
 * its deliveries stay.
 */
class HttpsReceiverIT {

    private static final int EVENTS = 20;

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @TempDir
    Path dir;

    @Test
    void aTrustedReceiverGetsEveryEventOnceAndAnUntrustedOneNoneWithItsTriesRecorded() throws Exception {
        TlsFiles trusted = TlsFiles.create(Files.createDirectory(dir.resolve("trusted")), "trust-" + UUID.randomUUID());
        TlsFiles stranger = TlsFiles.create(Files.createDirectory(dir.resolve("stranger")), "other-" + UUID.randomUUID());
        List<String> received = Collections.synchronizedList(new ArrayList<>());
        List<String> strangerReceived = Collections.synchronizedList(new ArrayList<>());
        ExecutorService threads = Executors.newFixedThreadPool(4);
        HttpsServer receiver = receiver(trusted, received, threads);
        HttpsServer untrusted = receiver(stranger, strangerReceived, threads);
        try {
            RelayData data = new RelayData(DB.db()).registerType("test.tls", "live")
                    // the product's default timeouts: twenty first handshakes of a cold JVM on a busy 2-core
                    // machine once outlasted the tests' 2 s read timeout, recording a timeout to a healthy receiver
                    .route("tls-trusted", "test.tls", url(receiver), Map.of("connect_timeout_ms", 5_000,
                            "read_timeout_ms", 10_000))
                    .route("tls-untrusted", "test.tls", url(untrusted), Map.of("max_attempts", 100, "backoff_initial_ms", 200,
                            "backoff_max_ms", 400))
                    .allRoutesLive(false);
            data.events("test.tls", EVENTS);
            String trustStore = "-Djavax.net.ssl.trustStore=" + trusted.truststore()
                    + " -Djavax.net.ssl.trustStorePassword=" + trusted.truststorePassword()
                    + " -Djavax.net.ssl.trustStoreType=PKCS12";
            try (ServiceJar service = ServiceJar.start(DB.db(), "tls", Map.of(), Map.of("JAVA_TOOL_OPTIONS", trustStore))) {
                try {
                    // the untrusted route's failures open its circuit: a few tries, then a probe now and then
                    await().atMost(Duration.ofSeconds(90)).until(() -> count("tls-trusted", "status = 'delivered'") == EVENTS
                            && count("tls-untrusted", "attempts >= 1") >= 3);
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    throw new AssertionError("deliveries " + DB.db().query(
                            "SELECT route_key, status, count(*) FROM iu_route_delivery GROUP BY 1, 2")
                            + "; the service's output:\n" + service.output(), e);
                }
                assertThat(received).hasSize(EVENTS).doesNotHaveDuplicates();
                assertThat(DB.db().query("""
                        SELECT a.outcome, a.http_status, count(*) AS tries FROM iu_route_attempt a
                          JOIN iu_route_delivery d ON d.id = a.delivery_id
                         WHERE d.route_key = 'tls-trusted' GROUP BY 1, 2"""))
                        .containsExactly(Map.of("outcome", "delivered", "http_status", 204, "tries", (long) EVENTS));

                assertThat(strangerReceived).isEmpty();
                List<Map<String, Object>> refused = DB.db().query("""
                        SELECT a.outcome, a.error_class, a.error_text FROM iu_route_attempt a
                          JOIN iu_route_delivery d ON d.id = a.delivery_id
                         WHERE d.route_key = 'tls-untrusted'""");
                assertThat(refused).hasSizeGreaterThanOrEqualTo(3).allSatisfy(attempt -> {
                    assertThat(attempt.get("outcome")).isEqualTo("failed");
                    assertThat(attempt.get("error_class") + " " + attempt.get("error_text")).containsIgnoringCase("SSL");
                });
                // nothing lost: every untrusted delivery waits for its next (or first) try
                assertThat(count("tls-untrusted", "status IN ('pending', 'retrying')")).isEqualTo(EVENTS);
            }
        } finally {
            receiver.stop(0);
            untrusted.stop(0);
            threads.shutdownNow();
        }
    }

    private static long count(String route, String condition) {
        return DB.db().queryLong("SELECT count(*) FROM iu_route_delivery WHERE route_key = ? AND " + condition, route);
    }

    private static String url(HttpsServer server) {
        return "https://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    /** A JDK HTTPS server with the certificate of {@code tls}: 204 to each webhook, its id kept. */
    private static HttpsServer receiver(TlsFiles tls, List<String> received, ExecutorService threads) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(tls.keystore())) {
            keys.load(in, tls.keystorePassword().toCharArray());
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, tls.keystorePassword().toCharArray());
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(keyManagers.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl));
        server.createContext("/hook", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                received.add(exchange.getRequestHeaders().getFirst("webhook-id"));
                exchange.sendResponseHeaders(204, -1);
            }
        });
        server.setExecutor(threads);
        server.start();
        return server;
    }
}
