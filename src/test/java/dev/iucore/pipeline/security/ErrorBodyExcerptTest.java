package dev.iucore.pipeline.security;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.HttpSink;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.RelayExtension;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What a receiver's error body may leave behind: its status and a short excerpt, no control characters. */
class ErrorBodyExcerptTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @RegisterExtension
    static final HttpSink SINK = new HttpSink();

    @RegisterExtension
    static final RelayExtension RELAY = new RelayExtension(DB, "excerpt-test");

    @Test
    void anErrorBodyIsKeptAsAShortExcerptWithoutControlCharacters() {
        String body = "\u001b[31mInternal\u0000error\r\n" + "internal detail ".repeat(400);
        SINK.stub(post(urlEqualTo("/noisy")).willReturn(aResponse().withStatus(500).withBody(body)));
        RelayData data = RELAY.data();
        data.registerType("test.excerpt", "live").route("noisy-hook", "test.excerpt", SINK.url("/noisy"),
                Map.of("max_attempts", 1));
        data.openGates(false, "noisy-hook");
        data.events("test.excerpt", 1);

        await().atMost(Duration.ofSeconds(30)).until(() -> DB.db().queryLong(
                "SELECT count(*) FROM iu_route_dead_letter WHERE route_key = 'noisy-hook'") == 1);
        String attempt = (String) DB.db().queryValue("""
                SELECT a.error_text FROM iu_route_attempt a JOIN iu_route_delivery d ON d.id = a.delivery_id
                 WHERE d.route_key = 'noisy-hook'""");
        assertThat(attempt).startsWith("HTTP 500: [31mInternal error internal detail").hasSizeLessThanOrEqualTo(220)
                .doesNotContainPattern("\\p{Cntrl}");
        assertThat((String) DB.db().queryValue("SELECT last_error FROM iu_route_dead_letter WHERE route_key = 'noisy-hook'"))
                .isEqualTo(attempt);
    }
}
