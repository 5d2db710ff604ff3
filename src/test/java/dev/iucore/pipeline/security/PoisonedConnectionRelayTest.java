package dev.iucore.pipeline.security;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.HttpSink;
import dev.iucore.pipeline.testing.RelayData;
import dev.iucore.pipeline.testing.RelayExtension;
import dev.iucore.pipeline.testing.TestDb;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The field report's hole: an ops {@code sql:} route set the gates for its whole session, the pool
 * handed that session to the relay, and a route delivered while the gate table said closed, with
 * no audit row. Here the real service runs on connections poisoned that way.
 */
class PoisonedConnectionRelayTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @RegisterExtension
    static final HttpSink SINK = new HttpSink();

    @RegisterExtension
    static final RelayExtension RELAY = new RelayExtension(DB, "poisoned-test");

    private final RelayData data = RELAY.data();

    private static TestDb db() {
        return DB.db();
    }

    @Test
    void theRelayDeliversNothingThroughConnectionsWhoseSessionOpenedTheGates() throws SQLException {
        SINK.stub(post(urlEqualTo("/poisoned")).willReturn(aResponse().withStatus(204)));
        data.registerType("test.security.poisoned", "live")
                .route("poisoned-hook", "test.security.poisoned", SINK.url("/poisoned"));
        long auditBefore = db().count("iu_core_gate_audit");
        poisonEveryIdleConnection(db().runtime());

        UUID event = data.event("test.security.poisoned", "agg-1", "{}");
        // an unregistered event inserted after it is dead-lettered even with the gate closed: once it is,
        // the dispatcher has been past both, on the poisoned pool
        UUID marker = data.event("test.security.never-registered", "agg-1", "{}");
        await().atMost(Duration.ofSeconds(20)).until(() -> "dead".equals(data.status(marker)));

        assertThat(data.status(event)).isEqualTo("pending");
        assertThat(db().queryLong("SELECT count(*) FROM iu_route_delivery WHERE event_id = ?", event)).isZero();
        assertThat(SINK.received("/poisoned")).isEmpty();
        assertThat(db().count("iu_core_gate_audit")).as("no gate changed").isEqualTo(auditBefore);
        assertThat(db().queryValue("SELECT gate_value FROM iu_core_gate WHERE gate_name = 'delivery_enabled'"))
                .isEqualTo("false");
    }

    /** Every connection the pool holds idle now gets the session-level settings an ops route could set. */
    private static void poisonEveryIdleConnection(DataSource pool) throws SQLException {
        int idle = pool.unwrap(HikariDataSource.class).getHikariPoolMXBean().getIdleConnections();
        List<Connection> held = new ArrayList<>();
        try {
            for (int i = 0; i < Math.max(idle, 1); i++) {
                Connection c = pool.getConnection();
                held.add(c);
                try (Statement s = c.createStatement()) {
                    s.execute("SELECT set_config('iu_core.delivery_enabled', 'true', false), "
                            + "set_config('iu_core.delivery_live_routes', 'poisoned-hook', false), "
                            + "set_config('iu_core.sql_routes_enabled', 'true', false)");
                }
            }
        } finally {
            for (Connection c : held) {
                c.close();
            }
        }
    }
}
