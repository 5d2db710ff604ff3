package dev.iucore.pipeline.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.iucore.pipeline.delivery.TargetUriMask;
import dev.iucore.pipeline.testing.Cli;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.RelayData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Credentials in a target URI: refused when the route is written, masked wherever a target is shown. */
class TargetCredentialsTest {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    private static final String TYPE = "test.security.target";

    @Test
    void aRouteWithCredentialsInItsTargetIsRefusedAndNothingIsStored() {
        RelayData data = new RelayData(DB.db()).registerType(TYPE, "live");
        assertThatThrownBy(() -> data.route("creds-hook", TYPE, "https://alice:s3cret@hooks.example.test/in"))
                .hasMessageContaining("iu_outbound_route_target_without_credentials");
        assertThatThrownBy(() -> data.route("token-user-hook", TYPE, "http://tok3n@hooks.example.test/in"))
                .hasMessageContaining("iu_outbound_route_target_without_credentials");
        assertThat(DB.db().queryLong("SELECT count(*) FROM iu_outbound_route WHERE route_key IN ('creds-hook', 'token-user-hook')")).isZero();
    }

    @Test
    void routesListMasksTokensInTheQuery() {
        new RelayData(DB.db()).registerType(TYPE + ".listed", "live")
                .route("query-token-hook", TYPE + ".listed", "https://hooks.example.test/in?api_key=k3y&team=ops&access_token=t0k");
        Cli.Result listed = Cli.run(DB.db().settings(), "routes", "list", "--json");
        assertThat(listed.exitCode()).isZero();
        assertThat(listed.out()).contains("https://hooks.example.test/in?api_key=***&team=ops&access_token=***")
                .doesNotContain("k3y").doesNotContain("t0k");
    }

    @Test
    void theMaskKeepsWhatIsNotACredential() {
        assertThat(TargetUriMask.masked("https://bob:pw@h.test/p?sig=abc&x=1#f")).isEqualTo("https://***@h.test/p?sig=***&x=1#f");
        assertThat(TargetUriMask.masked("kafka:orders")).isEqualTo("kafka:orders");
        assertThat(TargetUriMask.masked("http://h.test:8080/a@b")).isEqualTo("http://h.test:8080/a@b");
    }
}
