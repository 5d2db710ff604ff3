package dev.iucore.pipeline.delivery;

import dev.iucore.pipeline.delivery.AttemptResult.Outcome;
import java.io.EOFException;
import java.io.IOException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * POSTs the event payload to an {@code http}/{@code https} route with Standard Webhooks headers
 * ({@code webhook-id}, {@code webhook-timestamp}, and {@code webhook-signature} when the route names
 * a secret) and the event's forwarded headers ({@link ForwardedHeaders}), within the route's
 * connect and read timeouts. 2xx is delivered; 408, 429 and 5xx
 * are worth another try; any other status is permanent. Redirects are not followed: a webhook
 * that moved is a configuration matter, not something to chase.
 */
public final class WebhookSender implements DeliveryTarget {

    /** Of an error response only a short excerpt is kept: it lands in attempts, dead letters and backups. */
    private static final int ERROR_BODY_BYTES = 200;

    private final Function<String, String> secrets;
    private final TargetAddressGuard addresses;
    private final Map<Integer, HttpClient> clients = new ConcurrentHashMap<>();

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
        HttpRequest request;
        try {
            request = request(task);
        } catch (IllegalArgumentException e) {
            return AttemptResult.failed(Outcome.PERMANENT_FAILURE, null, "InvalidTarget",
                    TargetRules.unbuildable(task.targetUri(), e), 0);
        } catch (MissingSecretException e) {
            return AttemptResult.failed(Outcome.FAILED, null, "MissingSecret", e.getMessage(), 0);
        }
        try {
            String refusal = addresses.refusal(request.uri());
            if (refusal != null) {
                return AttemptResult.failed(Outcome.PERMANENT_FAILURE, null, "TargetAddressRefused", refusal, 0);
            }
        } catch (UnknownHostException e) {
            return AttemptResult.failed(Outcome.FAILED, e, millisSince(start));
        }
        // deadline of the whole try, body included: the client's own request timeout stops counting
        // once the headers are in, and a receiver may then stall or trickle its body for ever
        long budgetMs = task.connectTimeoutMs() + (long) task.readTimeoutMs();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(budgetMs);
        Exchanged first = exchange(task, request, deadline, budgetMs);
        // a pooled connection the receiver had closed fails before any byte of the response came
        // back (receivers that close after every response, HTTP/1.0 ones): that says nothing about
        // the receiver, so the request goes once more, within the same try and the same deadline
        Exchanged done = first.staleConnection() ? exchange(task, request, deadline, budgetMs) : first;
        return done.result(millisSince(start));
    }

    /** One request and its response (or how it failed), within the try's deadline ({@link TryDeadline}). */
    private Exchanged exchange(DeliveryTask task, HttpRequest request, long deadline, long budgetMs) {
        AtomicInteger status = new AtomicInteger();
        TryDeadline watch = TryDeadline.watch(deadline);
        try {
            HttpResponse<String> done = client(task).send(request, info -> {
                status.set(info.statusCode());
                return info.statusCode() / 100 == 2
                        ? HttpResponse.BodySubscribers.replacing("")
                        : new BodyHead(ERROR_BODY_BYTES);
            });
            watch.finish();
            return new Exchanged(done.statusCode(), done.body(), null, false);
        } catch (InterruptedException e) {
            if (!watch.finish()) {
                // not our deadline: the service is stopping
                Thread.currentThread().interrupt();
                return new Exchanged(null, null, e, false);
            }
            int seen = status.get();
            return new Exchanged(seen == 0 ? null : seen, null, new HttpTimeoutException(seen == 0
                    ? "no response within " + budgetMs + " ms"
                    : "HTTP " + seen + " but its body did not finish within " + budgetMs + " ms"), false);
        } catch (IOException | RuntimeException e) {
            watch.finish();
            Throwable timeout = timeoutIn(e);
            if (timeout != null) {
                return new Exchanged(null, null, timeout, false);
            }
            return new Exchanged(null, null, e, status.get() == 0 && closedBeforeResponse(e));
        }
    }

    /** The client's own request timeout, however deep the client wrapped it; null if there is none. */
    private static Throwable timeoutIn(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof HttpTimeoutException) {
                return t;
            }
        }
        return null;
    }

    /** The connection ended before the first byte of a response: EOF on the status line, or a reset. */
    private static boolean closedBeforeResponse(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (t instanceof EOFException || message.contains("received no bytes") || message.contains("Connection reset")) {
                return true;
            }
        }
        return false;
    }

    /** What one exchange gave: a status and body excerpt, or the error that ended it. */
    private record Exchanged(Integer status, String body, Throwable error, boolean staleConnection) {

        AttemptResult result(long latency) {
            if (error instanceof HttpTimeoutException) {
                return AttemptResult.failed(Outcome.TIMEOUT, status, error.getClass().getSimpleName(), error.getMessage(),
                        latency);
            }
            if (error != null) {
                return AttemptResult.failed(Outcome.FAILED, error, latency);
            }
            if (status >= 200 && status < 300) {
                return AttemptResult.delivered(status, latency);
            }
            boolean retryable = status == 408 || status == 429 || status >= 500;
            return AttemptResult.failed(retryable ? Outcome.FAILED : Outcome.PERMANENT_FAILURE, status, "HttpStatus",
                    "HTTP " + status + (body.isEmpty() ? "" : ": " + body), latency);
        }
    }

    private HttpRequest request(DeliveryTask task) {
        String id = task.webhookId();
        long timestamp = System.currentTimeMillis() / 1000;
        byte[] body = task.payload().getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder builder = TargetRules.webhookRequest(task.targetUri())
                .timeout(Duration.ofMillis(task.readTimeoutMs()))
                .header("content-type", "application/json")
                .header("webhook-id", id)
                .header("webhook-timestamp", Long.toString(timestamp))
                .header("iu-event-type", task.eventType())
                .header("iu-event-id", task.eventId().toString())
                .header("iu-route-key", task.routeKey())
                .header("iu-attempt", Integer.toString(task.attemptsSoFar() + 1))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        // the producer's headers: trace context, and the rest under a prefix no header of ours has
        task.forwardedHeaders().forEach(builder::header);
        if (task.secretRef() != null) {
            String signature = signature(task, id, timestamp, body);
            if (signature == null) {
                // one text for every refusal: whether a variable is set is nobody's business
                throw new MissingSecretException("route " + task.routeKey() + ": no usable signing secret in "
                        + task.secretRef() + " (a set variable " + TargetRules.SECRET_PREFIX + "… holding one Standard Webhooks"
                        + " secret, or two separated by a space); the webhook is not sent unsigned");
            }
            builder.header("webhook-signature", signature);
        }
        return builder.build();
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

    private HttpClient client(DeliveryTask task) {
        return clients.computeIfAbsent(task.connectTimeoutMs(), timeout -> HttpClient.newBuilder()
                // the client's own steps (read the response, complete the future) run where they become
                // ready, on its selector thread, not each handed to a pooled thread: nothing of ours blocks
                // in them (the worker waits in send), and every hand-off woke a thread (BENCHMARKS.md).
                // A TLS handshake's work runs there too, one at a time per client: kept-alive connections make those rare
                .executor(Runnable::run)
                .connectTimeout(Duration.ofMillis(timeout))
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build());
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
