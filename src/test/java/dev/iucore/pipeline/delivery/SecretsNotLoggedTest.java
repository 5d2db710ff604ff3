package dev.iucore.pipeline.delivery;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.encoder.JsonEncoder;
import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.HttpSink;
import dev.iucore.pipeline.testing.LogCapture;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.RunningPipeline;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A route signs with a secret (the environment variable the build sets for the tests); the whole
 * log of the service, at DEBUG for our code and Camel's, as text and as JSON, never contains it, nor
 * its key bytes, nor the database passwords of the configuration.
 */
class SecretsNotLoggedTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @RegisterExtension
    static final HttpSink SINK = new HttpSink();

    @Test
    void noSecretAppearsInTheServiceLogWhileSignedWebhooksAreDeliveredRetriedAndDeadLettered() throws Exception {
        String secret = System.getenv("IU_WEBHOOK_SECRET_TEST");
        assertThat(secret).as("the build sets IU_WEBHOOK_SECRET_TEST for the tests").startsWith("whsec_");
        String keyBase64 = secret.substring("whsec_".length());
        String keyHex = HexFormat.of().formatHex(Base64.getDecoder().decode(keyBase64));
        String dbPassword = "runtime-pw-" + UUID.randomUUID();
        String ownerPassword = "owner-pw-" + UUID.randomUUID();
        String schedulerPassword = "scheduler-pw-" + UUID.randomUUID();

        SINK.stub(post(urlEqualTo("/signed-ok")).willReturn(aResponse().withStatus(200)));
        SINK.stub(post(urlEqualTo("/signed-down")).willReturn(aResponse().withStatus(500).withBody("nope")));
        RelayData data = new RelayData(DB.db());
        data.registerType("test.secret.ok", "live").registerType("test.secret.down", "live")
                .route("secret-ok", "test.secret.ok", SINK.url("/signed-ok"), Map.of("secret_ref", "IU_WEBHOOK_SECRET_TEST"))
                .route("secret-down", "test.secret.down", SINK.url("/signed-down"),
                        Map.of("secret_ref", "IU_WEBHOOK_SECRET_TEST", "max_attempts", 2))
                .openGates(false, "secret-ok", "secret-down");

        String text;
        String json;
        try (LogCapture textLog = LogCapture.text("dev.iucore", "org.apache.camel");
             LogCapture jsonLog = LogCapture.start(new JsonEncoder(), List.of("dev.iucore", "org.apache.camel"))) {
            try (RunningPipeline pipeline = RunningPipeline.start(DB.db(), "secrets-test",
                    Map.of(Setting.DB_PASSWORD, dbPassword, Setting.DB_OWNER_PASSWORD, ownerPassword,
                            Setting.DB_SCHEDULER_PASSWORD, schedulerPassword))) {
                UUID ok = data.event("test.secret.ok", "s-1", "{\"n\": 1}");
                UUID down = data.event("test.secret.down", "s-2", "{\"n\": 2}");
                await().atMost(Duration.ofSeconds(30)).until(() -> "delivered".equals(data.deliveryStatus(ok, "secret-ok"))
                        && "dead".equals(data.deliveryStatus(down, "secret-down")));
                assertThat(SINK.received("/signed-ok").get(0).getHeader("webhook-signature")).startsWith("v1,");
            }
            text = textLog.output();
            json = jsonLog.output();
        }

        // the log did capture the service at work: the one line per outcome is there
        assertThat(text).contains("route secret-ok attempt 1: delivered")
                .contains("route secret-down attempt 2: failed -> dead (attempts_exhausted)");
        assertThat(json).contains("\"route_key\":\"secret-down\"").contains("\"outcome\":\"failed\"");
        for (String log : List.of(text, json)) {
            assertThat(log).doesNotContain(secret).doesNotContain(keyBase64).doesNotContainIgnoringCase(keyHex)
                    .doesNotContain(dbPassword).doesNotContain(ownerPassword).doesNotContain(schedulerPassword);
        }
    }
}
