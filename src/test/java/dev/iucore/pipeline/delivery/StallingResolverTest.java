package dev.iucore.pipeline.delivery;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import dev.iucore.pipeline.delivery.AttemptResult.Outcome;
import dev.iucore.pipeline.testing.HttpSink;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A resolver that hangs: a webhook try still ends at its deadline (the name's lookup counts against
 * it), recorded as a timeout; tries of the same name share the one lookup in progress, so a hung
 * resolver holds one lookup thread, never the workers; once the resolver answers, tries go out again.
 * A route write waits for its host's lookup a while ({@link TargetRules#LOOKUP_WAIT}), not for ever.
 */
class StallingResolverTest {

    @RegisterExtension
    static final HttpSink SINK = new HttpSink();

    /** connect + read: the try's whole budget, the lookup included. */
    private static final int CONNECT_MS = 1000;
    private static final int READ_MS = 2000;

    private final CountDownLatch resolverAnswers = new CountDownLatch(1);
    private final AtomicInteger lookups = new AtomicInteger();
    private final ExecutorService workers = Executors.newFixedThreadPool(3);

    @AfterEach
    void releaseTheResolver() {
        resolverAnswers.countDown();
        workers.shutdownNow();
    }

    @Test
    void aTryWhoseNameDoesNotResolveEndsAtItsDeadlineAsATimeoutAndTheNextGoesOutOnceItResolves() throws Exception {
        SINK.stub(post(urlEqualTo("/named")).willReturn(aResponse().withStatus(204)));
        TargetAddressGuard guard = TargetAddressGuard.allowing("127.0.0.0/8", this::stallingLookup);
        WebhookSender sender = new WebhookSender(name -> null, guard);
        // by name, not by address: an address literal needs no lookup
        String target = URI.create(SINK.url("/named")).toString().replace("127.0.0.1", "localhost");

        List<Future<AttemptResult>> tries = List.of(workers.submit(() -> sender.tryOnce(attempt(target))),
                workers.submit(() -> sender.tryOnce(attempt(target))), workers.submit(() -> sender.tryOnce(attempt(target))));
        for (Future<AttemptResult> tried : tries) {
            // without the deadline each would wait for the resolver, that is for ever
            AttemptResult result = tried.get(30, TimeUnit.SECONDS);
            assertThat(result.outcome()).isEqualTo(Outcome.TIMEOUT);
            assertThat(result.errorText()).contains("localhost", "not resolved");
            assertThat(result.latencyMs()).as("ended at its budget of %d ms", CONNECT_MS + READ_MS)
                    .isGreaterThanOrEqualTo(CONNECT_MS + READ_MS - 10);
        }
        assertThat(lookups).as("three tries of one name, one lookup").hasValue(1);
        assertThat(SINK.received("/named")).isEmpty();

        resolverAnswers.countDown();
        AttemptResult afterwards = sender.tryOnce(attempt(target));
        assertThat(afterwards.outcome()).as(afterwards.toString()).isEqualTo(Outcome.DELIVERED);
        assertThat(SINK.received("/named")).hasSize(1);
        sender.close();
    }

    @Test
    void anAddressLiteralIsNeverLookedUp() {
        SINK.stub(post(urlEqualTo("/literal")).willReturn(aResponse().withStatus(204)));
        TargetAddressGuard guard = TargetAddressGuard.allowing("127.0.0.0/8", this::stallingLookup);
        WebhookSender sender = new WebhookSender(name -> null, guard);

        assertThat(sender.tryOnce(attempt(SINK.url("/literal"))).outcome()).isEqualTo(Outcome.DELIVERED);
        assertThat(lookups).hasValue(0);
        sender.close();
    }

    @Test
    void aRouteWriteWaitsForItsHostsLookupAWhileThenTakesItAsNotResolvingNow() throws Exception {
        TargetRules rules = new TargetRules(TargetAddressGuard.allowing("", this::stallingLookup));
        Future<String> check = workers.submit(() -> rules.refusal("https://hooks.example.test/in", "webhook", null));
        // without a bound, as long as the resolver hangs: for ever here
        assertThat(check.get(30, TimeUnit.SECONDS)).as("not refused: the relay checks each try again").isNull();
        assertThat(lookups).hasValue(1);

        // a name that resolves in time is checked as before
        TargetRules resolving = new TargetRules(TargetAddressGuard.allowing("",
                host -> new InetAddress[] {InetAddress.getByAddress(host, new byte[] {10, 0, 0, 7})}));
        assertThat(resolving.refusal("https://hooks.example.test/in", "webhook", null))
                .contains("hooks.example.test resolves to 10.0.0.7, an internal address");
    }

    /** The system's lookup, once the test lets the resolver answer. */
    private InetAddress[] stallingLookup(String host) throws UnknownHostException {
        lookups.incrementAndGet();
        try {
            resolverAnswers.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnknownHostException(host + ": interrupted");
        }
        return InetAddress.getAllByName(host);
    }

    private static DeliveryAttempt attempt(String target) {
        return new DeliveryAttempt(new DeliveryTask(1, UUID.randomUUID(), "test.resolver", "a-1", "{}", "outbound", "named-hook", 0,
                true, target, null, CONNECT_MS, READ_MS, 3, 100, BigDecimal.valueOf(2), 1000, 5, 30000, null, Map.of(), null,
                CONNECT_MS + READ_MS, System.nanoTime() + 60_000_000_000L));
    }
}
