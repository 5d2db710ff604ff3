package dev.iucore.pipeline.security;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.iucore.pipeline.config.ConfigurationException;
import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.delivery.TargetAddressGuard;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.HttpSink;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.RelayExtension;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Server-side request forgery: a webhook route pointing into the service's own network (loopback,
 * a name for it, private ranges, the cloud metadata address) is refused before any connection,
 * unless iu.delivery.allowed-networks lists the network; error bodies are kept short and clean.
 */
class WebhookTargetAddressTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @RegisterExtension
    static final HttpSink SINK = new HttpSink();

    /** The service as deployed: no internal network allowed. */
    @RegisterExtension
    static final RelayExtension RELAY = new RelayExtension(DB, "ssrf-test",
            () -> Map.of(Setting.DELIVERY_ALLOWED_NETWORKS, ""));

    private final RelayData data = RELAY.data();

    @AfterEach
    void closeGates() {
        data.closeGates();
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "localhost", "[::1]", "[::ffff:127.0.0.1]", "169.254.169.254", "10.0.0.7"})
    void aWebhookToAnInternalAddressIsRefusedBeforeAnyConnection(String host) {
        SINK.stub(post(urlEqualTo("/internal")).willReturn(aResponse().withStatus(200)));
        String id = Integer.toHexString(host.hashCode());
        String route = "internal-" + id;
        String type = "test.ssrf.t" + id;
        // the sink's port: were the guard to let it through, the sink would see the request
        String target = "http://" + host + ":" + SINK.server().port() + "/internal";
        data.registerType(type, "live").route(route, type, target, Map.of("max_attempts", 3));
        data.openGates(false, route);
        data.events(type, 1);

        await().atMost(Duration.ofSeconds(30)).until(() -> DB.db().queryLong(
                "SELECT count(*) FROM iu_route_delivery WHERE route_key = ? AND status = 'dead'", route) == 1);
        List<Map<String, Object>> attempts = DB.db().query("""
                SELECT a.outcome, a.error_class, a.error_text FROM iu_route_attempt a
                  JOIN iu_route_delivery d ON d.id = a.delivery_id WHERE d.route_key = ?""", route);
        assertThat(attempts).hasSize(1);
        assertThat(attempts.get(0)).containsEntry("outcome", "permanent_failure").containsEntry("error_class", "TargetAddressRefused");
        assertThat((String) attempts.get(0).get("error_text")).contains("iu.delivery.allowed-networks");
        assertThat(DB.db().queryValue("SELECT reason FROM iu_route_dead_letter WHERE route_key = ?", route))
                .isEqualTo("permanent_failure");
        assertThat(SINK.received("/internal")).isEmpty();
    }

    @Test
    void internalMeansLoopbackPrivateSharedLinkLocalUniqueLocalAndMulticast() throws Exception {
        for (String internal : List.of("127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
                "100.64.0.1", "169.254.169.254", "0.0.0.0", "224.0.0.1", "::1", "fe80::1", "fd00::1", "::ffff:10.0.0.1")) {
            assertThat(internal(internal)).as(internal).isTrue();
        }
        for (String external : List.of("8.8.8.8", "172.32.0.1", "100.128.0.1", "192.169.0.1", "2001:4860:4860::8888")) {
            assertThat(internal(external)).as(external).isFalse();
        }
    }

    @Test
    void aNetworkThatIsNotACidrStopsTheStartWithAClearError() {
        for (String bad : List.of("10.0.0.0/33", "localhost/8", "10.0.0/8x", "10.0.0.0/8/1")) {
            assertThatThrownBy(() -> TargetAddressGuard.allowing(bad)).as(bad)
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining("iu.delivery.allowed-networks");
        }
        assertThat(TargetAddressGuard.allowing(" 127.0.0.0/8 , fd00::/8 ,")).isNotNull();
    }

    private static boolean internal(String literal) throws Exception {
        return TargetAddressGuard.internal(InetAddress.getByName(literal));
    }
}
