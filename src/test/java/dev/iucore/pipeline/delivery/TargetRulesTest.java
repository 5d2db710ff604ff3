package dev.iucore.pipeline.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The address a webhook goes to: what the relay sends to, and what {@code routes add} refuses before it is written. */
class TargetRulesTest {

    @Test
    void anHttpOrHttpsTargetWithAHostIsAnAddress() {
        assertThat(TargetRules.webhookUri(" https://hooks.example.com:8443/in?x=1 ").getPort()).isEqualTo(8443);
        assertThat(TargetRules.webhookUri("HTTP://127.0.0.1/hook").getHost()).isEqualTo("127.0.0.1");
    }

    @Test
    void aTargetWithoutHostOrWithAnotherSchemeIsNone() {
        assertThatThrownBy(() -> TargetRules.webhookUri("http:///hook")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unsupported URI");
        assertThatThrownBy(() -> TargetRules.webhookUri("http:hook")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TargetRules.webhookUri("ftp://example.com/x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid URI scheme ftp");
        assertThatThrownBy(() -> TargetRules.webhookUri("http://exa mple.com/")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anUnbuildableTargetIsRefusedInTheRelaysWords() {
        TargetRules rules = new TargetRules(TargetAddressGuard.allowing("127.0.0.0/8"));
        assertThat(rules.refusal("http:///hook", "webhook", null))
                .startsWith("cannot build a request for http:///hook: unsupported URI");
    }
}
