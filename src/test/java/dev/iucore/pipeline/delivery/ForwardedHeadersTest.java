package dev.iucore.pipeline.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The rules of {@link ForwardedHeaders}: which producer headers leave, and under which names. */
class ForwardedHeadersTest {

    private static final String VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void aValidTraceparentKeepsItsNameAndTheRestIsPrefixed() {
        assertThat(ForwardedHeaders.of("{\"Traceparent\": \"" + VALID + "\", \"tracestate\": \"a=1\", \"Tenant\": \"acme\"}"))
                .containsExactly(Map.entry("traceparent", VALID), Map.entry("tracestate", "a=1"),
                        Map.entry("iu-header-tenant", "acme"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",            // three fields
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",         // upper case
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",         // version ff
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",         // zero trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",         // zero parent id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",   // version 00 has four fields
        "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",          // short trace id
        "not a traceparent"})
    void anInvalidTraceparentIsLeftOutAndTakesItsTracestateWithIt(String traceparent) {
        assertThat(ForwardedHeaders.of("{\"traceparent\": \"" + traceparent + "\", \"tracestate\": \"a=1\"}")).isEmpty();
    }

    @Test
    void aLaterVersionMayCarryMoreFields() {
        String v1 = "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future";
        assertThat(ForwardedHeaders.of("{\"traceparent\": \"" + v1 + "\"}")).containsEntry("traceparent", v1);
    }

    @Test
    void aMalformedTracestateIsLeftOutAndTheTraceparentStays() {
        for (String state : new String[] {"Upper=1", "a=1,b", "a=x,b==y", IntStream.range(0, 33).mapToObj(i -> "k" + i + "=v")
                .collect(Collectors.joining(","))}) {
            assertThat(ForwardedHeaders.of("{\"traceparent\": \"" + VALID + "\", \"tracestate\": \"" + state + "\"}"))
                    .as(state).containsOnlyKeys("traceparent");
        }
        assertThat(ForwardedHeaders.validTracestate("vendor@tenant=opaque/value, other=1,")).isTrue();
    }

    @Test
    void onlyTokenNamesAndShortPrintableScalarValuesLeaveAtMostSixteen() {
        assertThat(ForwardedHeaders.of("""
                {"ok": true, "n": 7, "bad name": "x", "dot.name": "x", "nested": {"a": 1}, "list": [1], "nul": null,
                 "crlf": "a\\r\\nb", "utf": "päid", "long": "%s", "": "x"}""".formatted("x".repeat(513))))
                .containsOnly(Map.entry("iu-header-ok", "true"), Map.entry("iu-header-n", "7"));
        String many = IntStream.range(0, 20).mapToObj(i -> "\"h" + i + "\": \"v\"").collect(Collectors.joining(",", "{", "}"));
        assertThat(ForwardedHeaders.of(many)).hasSize(16);
    }

    @Test
    void noHeadersOrNoObjectForwardNothing() {
        assertThat(ForwardedHeaders.of("{}")).isEmpty();
        assertThat(ForwardedHeaders.of(null)).isEmpty();
        assertThat(ForwardedHeaders.of("[\"traceparent\"]")).isEmpty();
    }
}
