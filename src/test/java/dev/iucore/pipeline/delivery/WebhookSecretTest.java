package dev.iucore.pipeline.delivery;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.standardwebhooks.Webhook;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.HttpSink;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.TestDb;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A route's signing secret: only from a variable with the dedicated prefix, refused with one text
 * whatever was wrong, and two secrets during a rotation, each verifying on its own.
 */
class WebhookSecretTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @RegisterExtension
    static final HttpSink SINK = new HttpSink();

    private static final String NEW = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String OLD = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    private static final Map<String, String> ENVIRONMENT = Map.of(
            "IU_WEBHOOK_SECRET_ROTATING", NEW + " " + OLD,
            "IU_WEBHOOK_SECRET_MALFORMED", "not-base64!",
            "IU_DB_PASSWORD", NEW);

    private final WebhookSender sender = new WebhookSender(ENVIRONMENT::get, TargetAddressGuard.allowing(TestDb.LOCAL_RECEIVERS));

    @Test
    void duringARotationBothSignaturesAreSentAndEachSecretVerifiesAlone() {
        SINK.stub(post(urlEqualTo("/rotating")).willReturn(aResponse().withStatus(204)));
        AttemptResult result = sender.tryOnce(attempt("IU_WEBHOOK_SECRET_ROTATING", "/rotating"));
        assertThat(result.delivered()).isTrue();
        LoggedRequest request = SINK.received("/rotating").get(0);
        assertThat(request.getHeader("webhook-signature")).matches("v1,\\S+ v1,\\S+");
        Map<String, List<String>> headers = Map.of(
                "webhook-id", List.of(request.getHeader("webhook-id")),
                "webhook-timestamp", List.of(request.getHeader("webhook-timestamp")),
                "webhook-signature", List.of(request.getHeader("webhook-signature")));
        for (String secret : List.of(NEW, OLD)) {
            assertThatCode(() -> new Webhook(secret).verify(request.getBodyAsString(), headers)).doesNotThrowAnyException();
        }
    }

    @Test
    void anUnprefixedUnsetOrMalformedSecretIsRefusedWithOneTextAndNothingIsSent() {
        SINK.stub(post(urlEqualTo("/refused")).willReturn(aResponse().withStatus(204)));
        for (String ref : List.of("IU_DB_PASSWORD", "IU_WEBHOOK_SECRET_UNSET", "IU_WEBHOOK_SECRET_MALFORMED")) {
            AttemptResult result = sender.tryOnce(attempt(ref, "/refused"));
            assertThat(result.outcome()).as(ref).isEqualTo(AttemptResult.Outcome.FAILED);
            assertThat(result.errorText()).as(ref).isEqualTo("route signed-hook: no usable signing secret in " + ref
                    + " (a set variable IU_WEBHOOK_SECRET_… holding one Standard Webhooks secret, or two separated"
                    + " by a space); the webhook is not sent unsigned");
        }
        assertThat(SINK.received("/refused")).isEmpty();
    }

    @Test
    void aRouteNamingAnUnprefixedVariableIsRefusedWhenWritten() {
        RelayData data = new RelayData(DB.db()).registerType("test.secret.prefix", "live");
        assertThatThrownBy(() -> data.route("db-password-hook", "test.secret.prefix", "https://hooks.example.test/in",
                Map.of("secret_ref", "IU_DB_PASSWORD"))).hasMessageContaining("iu_outbound_route_secret_ref_prefixed");
        assertThat(DB.db().queryLong("SELECT count(*) FROM iu_outbound_route WHERE secret_ref = 'IU_DB_PASSWORD'")).isZero();
    }

    private static DeliveryAttempt attempt(String secretRef, String path) {
        return new DeliveryAttempt(new DeliveryTask(1, UUID.randomUUID(), "test.secret", "a-1", "{\"n\": 1}", "outbound", "signed-hook", 0,
                true, SINK.url(path), secretRef, 1000, 2000, 3, 100, BigDecimal.valueOf(2), 1000, 5, 30000, null, Map.of(), null, 3000,
                System.nanoTime() + 60_000_000_000L));
    }
}
