package dev.iucore.pipeline.delivery;

import dev.iucore.pipeline.delivery.AttemptResult.Outcome;
import java.io.EOFException;
import java.io.IOException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpStatus;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.impl.io.HttpRequestExecutor;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * POSTs the event payload to an {@code http}/{@code https} route with Standard Webhooks headers
 * ({@code webhook-id}, {@code webhook-timestamp}, and {@code webhook-signature} when the route names
 * a secret) and the event's forwarded headers ({@link ForwardedHeaders}), within the route's
 * connect and read timeouts. 2xx is delivered; 408, 429 and 5xx
 * are worth another try, not before the receiver's {@code Retry-After} if it sent one; any other
 * status is permanent. Redirects are not followed: a webhook
 * that moved is a configuration matter, not something to chase.
 *
 * <p>Sent with Apache HttpClient's blocking client: a worker's thread writes the request and reads
 * the response itself, half the CPU per request of the JDK's HttpClient, whose selector thread
 * hands every response over (BENCHMARKS.md).
 */
public final class WebhookSender implements DeliveryTarget, AutoCloseable {

    /** Of an error response only a short excerpt is kept: it lands in attempts, dead letters and backups. */
    private static final int ERROR_BODY_BYTES = 200;
    /**
     * Of a success response at most this much is read, for the connection to serve the next try: a
     * receiver answering 2xx with a large or endless page has taken the event all the same.
     */
    static final int SUCCESS_BODY_BYTES = 64 * 1024;
    /**
     * From this size a body waits for the receiver's {@code 100 Continue} (curl's threshold), for at
     * most {@link #LONGEST_WAIT_FOR_CONTINUE_MS}: a receiver whose size limit answers before reading (413) and
     * closes would otherwise reset the connection under a body still being sent, and the try would
     * fail as a reset, retried, instead of ending with the receiver's answer.
     */
    static final int EXPECT_CONTINUE_BYTES = 1 << 20;
    /**
     * How long a large body waits for {@code 100 Continue} before it goes anyway (many receivers never
     * send one): curl's second, or half the route's read timeout where that is shorter, so that the
     * wait never takes the try's whole budget.
     */
    private static final int LONGEST_WAIT_FOR_CONTINUE_MS = 1000;
    private static final RequestConfig EXPECT_CONTINUE = RequestConfig.custom().setExpectContinueEnabled(true).build();
    /** The body's type, without a charset parameter: JSON is UTF-8 by definition (RFC 8259). */
    private static final ContentType JSON = ContentType.create("application/json");
    /**
     * Connections the pool may hold: the relay bounds what is in flight itself (workers, per-route
     * windows), so the pool never makes a try wait for one.
     */
    private static final int POOLED_CONNECTIONS = 10_000;
    /** Far more than a route table holds: only a table edited over and over reaches it. */
    private static final int MAX_TARGETS = 10_000;
    /** Who calls, for a receiver's logs and allowlists; not which HTTP library, nor its version. */
    private static final String USER_AGENT = "iu-core-pipeline";

    private final Function<String, String> secrets;
    private final TargetAddressGuard addresses;
    private final Map<ClientTimeouts, CloseableHttpClient> clients = new ConcurrentHashMap<>();
    /** Each route's target parsed once, not per try (a twentieth of a worker's CPU); cleared should edits pile up. */
    private final Map<String, URI> targets = new ConcurrentHashMap<>();

    /**
     * @param secrets   looks up a route's {@code secret_ref}: the environment in production
     * @param addresses the internal networks webhooks may reach ({@code iu.delivery.allowed-networks})
     */
    public WebhookSender(Function<String, String> secrets, TargetAddressGuard addresses) {
        this.secrets = secrets;
        this.addresses = addresses;
    }

    @Override
    public AttemptResult tryOnce(DeliveryAttempt attempt) {
        DeliveryTask task = attempt.getTask();
        long start = System.nanoTime();
        URI uri;
        HttpPost request;
        try {
            uri = target(task.targetUri());
            request = request(task, uri);
        } catch (IllegalArgumentException e) {
            return AttemptResult.failed(Outcome.PERMANENT_FAILURE, null, "InvalidTarget",
                    TargetRules.unbuildable(task.targetUri(), e), 0);
        } catch (MissingSecretException e) {
            return AttemptResult.failed(Outcome.FAILED, null, "MissingSecret", e.getMessage(), 0);
        }
        // deadline of the whole try, the name's lookup and the body included: a socket's read timeout
        // counts from the last byte, a receiver may stall or trickle its body for ever, and a resolver hang
        long budgetMs = task.longestTryMs();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(budgetMs);
        try {
            String refusal = addresses.refusal(uri, deadline);
            if (refusal != null) {
                return AttemptResult.failed(Outcome.PERMANENT_FAILURE, null, "TargetAddressRefused", refusal, 0);
            }
        } catch (HttpTimeoutException e) {
            return AttemptResult.failed(Outcome.TIMEOUT, null, e.getClass().getSimpleName(), e.getMessage(), millisSince(start));
        } catch (UnknownHostException e) {
            return AttemptResult.failed(Outcome.FAILED, e, millisSince(start));
        }
        CloseableHttpClient client = client(task);
        Exchanged first = exchange(client, request, deadline, budgetMs);
        if (first.staleConnection()) {
            // a pooled connection the receiver had closed fails before any byte of the response came
            // back (receivers that close after every response, HTTP/1.0 ones): that says nothing about
            // the receiver, so the request goes once more, within the same try and the same deadline
            request.reset();
        } else if (request.getConfig() == EXPECT_CONTINUE
                && Integer.valueOf(HttpStatus.SC_EXPECTATION_FAILED).equals(first.status())) {
            // an old server or proxy that knows no expectations refused the 100-continue, not the
            // event: the body goes once more without asking, as curl does, within the same deadline
            request.reset();
            request.setConfig(null);
        } else {
            return first.result(millisSince(start));
        }
        return exchange(client, request, deadline, budgetMs).result(millisSince(start));
    }

    private URI target(String target) {
        if (targets.size() > MAX_TARGETS) {
            targets.clear();
        }
        return targets.computeIfAbsent(target, TargetRules::webhookUri);
    }

    /** One request and its response (or how it failed), within the try's deadline ({@link TryDeadline}). */
    private static Exchanged exchange(CloseableHttpClient client, HttpPost request, long deadline, long budgetMs) {
        int status = 0;
        long waitAsked = 0;
        TryDeadline watch = TryDeadline.watch(deadline, request::cancel);
        try {
            ClassicHttpResponse response = client.executeOpen(null, request, null);
            status = response.getCode();
            String body;
            if (status / 100 == 2) {
                // read to its end, so the connection serves the next try; one longer than SUCCESS_BODY_BYTES
                // is a page not worth the try's time: the receiver took the event, the connection is dropped
                if (successBodyEnded(response, watch)) {
                    response.close();
                } else {
                    request.cancel();
                }
                body = "";
            } else {
                Header retryAfter = response.getFirstHeader(HttpHeaders.RETRY_AFTER);
                waitAsked = retryAfter == null ? 0 : RetryAfter.millis(retryAfter.getValue(), Instant.now());
                body = BodyHead.read(response.getEntity(), ERROR_BODY_BYTES);
                // the rest of an error body is not worth reading: the connection is dropped, not drained
                request.cancel();
            }
            watch.finish();
            return new Exchanged(status, body, null, false, waitAsked);
        } catch (IOException | RuntimeException e) {
            // whatever broke, the connection goes back to the pool as closed, never half-read
            request.cancel();
            if (watch.finish()) {
                return new Exchanged(status == 0 ? null : status, null, new HttpTimeoutException(status == 0
                        ? "no response within " + budgetMs + " ms"
                        : "HTTP " + status + " but its body did not finish within " + budgetMs + " ms"), false, waitAsked);
            }
            if (e instanceof ConnectTimeoutException) {
                return new Exchanged(null, null, new HttpTimeoutException(e.getMessage()), false, 0);
            }
            return new Exchanged(null, null, e, status == 0 && closedBeforeResponse(e), 0);
        }
    }

    /**
     * Reads a success's body to its end within {@link #SUCCESS_BODY_BYTES}: false when it goes on past
     * them, or breaks off (a reset, fewer bytes than it declared). The status line said the receiver
     * took the event, so a body that breaks off ends the connection, not the delivery. One the try's
     * deadline ended is a timeout (the exchange's catch).
     */
    private static boolean successBodyEnded(ClassicHttpResponse response, TryDeadline watch) throws IOException {
        try {
            return BodyHead.skip(response.getEntity(), SUCCESS_BODY_BYTES);
        } catch (IOException e) {
            if (watch.fired()) {
                throw e;
            }
            return false;
        }
    }

    /** The connection ended before the first byte of a response: EOF on the status line, or a reset. */
    private static boolean closedBeforeResponse(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (t instanceof NoHttpResponseException || t instanceof EOFException || message.contains("Connection reset")
                    || message.contains("Broken pipe")) {
                return true;
            }
        }
        return false;
    }

    /**
     * What one exchange gave: a status and body excerpt, or the error that ended it; the wait the
     * receiver asked for with an error status ({@code Retry-After}, 0: none).
     */
    private record Exchanged(Integer status, String body, Throwable error, boolean staleConnection, long retryAfterMs) {

        AttemptResult result(long latency) {
            if (error instanceof HttpTimeoutException) {
                return AttemptResult.failed(Outcome.TIMEOUT, status, error.getClass().getSimpleName(), error.getMessage(),
                        latency).retryAfter(retryAfterMs);
            }
            if (error != null) {
                return AttemptResult.failed(Outcome.FAILED, error, latency);
            }
            if (status >= 200 && status < 300) {
                return AttemptResult.delivered(status, latency);
            }
            boolean retryable = status == 408 || status == 429 || status >= 500;
            // the next try waits at least as long as the receiver asked (Backoff), which the record says
            long waitAsked = retryable ? retryAfterMs : 0;
            String asked = waitAsked > 0 ? " (Retry-After " + (waitAsked + 999) / 1000 + " s)" : "";
            return AttemptResult.failed(retryable ? Outcome.FAILED : Outcome.PERMANENT_FAILURE, status, "HttpStatus",
                    "HTTP " + status + asked + (body.isEmpty() ? "" : ": " + body), latency).retryAfter(waitAsked);
        }
    }

    private HttpPost request(DeliveryTask task, URI uri) {
        String id = task.webhookId();
        long timestamp = System.currentTimeMillis() / 1000;
        byte[] body = task.payload().getBytes(StandardCharsets.UTF_8);
        HttpPost request = new HttpPost(uri);
        request.setEntity(new ByteArrayEntity(body, JSON));
        if (body.length >= EXPECT_CONTINUE_BYTES) {
            request.setConfig(EXPECT_CONTINUE);
        }
        request.setHeader("webhook-id", id);
        request.setHeader("webhook-timestamp", Long.toString(timestamp));
        request.setHeader("iu-event-type", task.eventType());
        request.setHeader("iu-event-id", task.eventId().toString());
        request.setHeader("iu-route-key", task.routeKey());
        request.setHeader("iu-attempt", Integer.toString(task.attemptsSoFar() + 1));
        // the producer's headers: trace context, and the rest under a prefix no header of ours has
        task.forwardedHeaders().forEach(request::addHeader);
        if (task.secretRef() != null) {
            String signature = signature(task, id, timestamp, body);
            if (signature == null) {
                // one text for every refusal: whether a variable is set is nobody's business
                throw new MissingSecretException("route " + task.routeKey() + ": no usable signing secret in "
                        + task.secretRef() + " (a set variable " + TargetRules.SECRET_PREFIX + "… holding one Standard Webhooks"
                        + " secret, or two separated by a space); the webhook is not sent unsigned");
            }
            request.setHeader("webhook-signature", signature);
        }
        return request;
    }

    /**
     * The signatures of every secret the route's variable holds (two during a rotation, separated by
     * a space, both sent as Standard Webhooks allows), or null when it names no usable secret. Only
     * variables with the dedicated prefix are read: a route may not turn, say, the database password
     * into an HMAC key whose signatures leave the host.
     */
    private String signature(DeliveryTask task, String id, long timestamp, byte[] body) {
        String secrets = TargetRules.secretRefAllowed(task.secretRef()) ? this.secrets.apply(task.secretRef()) : null;
        if (secrets == null || secrets.isBlank()) {
            return null;
        }
        StringBuilder signatures = new StringBuilder();
        for (String secret : secrets.trim().split("\\s+")) {
            try {
                signatures.append(signatures.isEmpty() ? "" : " ").append(WebhookSignature.sign(secret, id, timestamp, body));
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return signatures.toString();
    }

    /** What a client is built with: one client for each pair the route table holds. */
    private record ClientTimeouts(int connectMs, int waitForContinueMs) {

        static ClientTimeouts of(DeliveryTask task) {
            // never 0, which HttpCore reads as no limit at all
            int wait = Math.max(1, Math.min(LONGEST_WAIT_FOR_CONTINUE_MS, task.readTimeoutMs() / 2));
            return new ClientTimeouts(task.connectTimeoutMs(), wait);
        }
    }

    private CloseableHttpClient client(DeliveryTask task) {
        return clients.computeIfAbsent(ClientTimeouts.of(task), timeouts -> HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setMaxConnTotal(POOLED_CONNECTIONS)
                        .setMaxConnPerRoute(POOLED_CONNECTIONS)
                        // the JVM's trust store and protocols: javax.net.ssl.* as an operator sets them
                        .setTlsSocketStrategy(DefaultClientTlsStrategy.createSystemDefault())
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.ofMilliseconds(timeouts.connectMs()))
                                // a connection idle this long is checked before it carries a request:
                                // receivers close idle ones after their own keep-alive timeout
                                .setValidateAfterInactivity(TimeValue.ofSeconds(2))
                                .build())
                        .build())
                .setUserAgent(USER_AGENT)
                .setRequestExecutor(HttpRequestExecutor.builder()
                        .withWaitForContinue(Timeout.ofMilliseconds(timeouts.waitForContinueMs()))
                        .build())
                .evictIdleConnections(TimeValue.ofMinutes(1))
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .disableAuthCaching()
                .disableContentCompression()
                .disableConnectionState()
                .build());
    }

    /** Closes every connection: the service stops. */
    @Override
    public void close() {
        clients.values().forEach(client -> client.close(CloseMode.IMMEDIATE));
        clients.clear();
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** The route names a secret that is not there: the webhook is never sent unsigned. */
    private static final class MissingSecretException extends RuntimeException {
        MissingSecretException(String message) {
            super(message);
        }
    }
}
