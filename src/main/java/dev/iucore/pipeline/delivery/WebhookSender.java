package dev.iucore.pipeline.delivery;

import dev.iucore.pipeline.delivery.AttemptResult.Outcome;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.camel.Exchange;

/**
 * POSTs the event payload to an {@code http}/{@code https} route with Standard Webhooks headers
 * ({@code webhook-id}, {@code webhook-timestamp}, and {@code webhook-signature} when the route names
 * a secret), within the route's connect and read timeouts. 2xx is delivered; 408, 429 and 5xx
 * are worth another try; any other status is permanent. Redirects are not followed: a webhook
 * that moved is a configuration matter, not something to chase.
 */
public final class WebhookSender {

    private static final int ERROR_BODY_BYTES = 1000;

    private final Function<String, String> secrets;
    private final Map<Integer, HttpClient> clients = new ConcurrentHashMap<>();

    /** @param secrets looks up a route's {@code secret_ref}: the environment in production */
    public WebhookSender(Function<String, String> secrets) {
        this.secrets = secrets;
    }

    public void send(Exchange exchange) {
        DeliveryTask task = exchange.getProperty(DeliveryTask.PROPERTY, DeliveryTask.class);
        exchange.setProperty(AttemptResult.PROPERTY, send(task));
    }

    AttemptResult send(DeliveryTask task) {
        long start = System.nanoTime();
        HttpRequest request;
        try {
            request = request(task);
        } catch (IllegalArgumentException e) {
            return AttemptResult.failed(Outcome.PERMANENT_FAILURE, null, "InvalidTarget",
                    "cannot build a request for " + task.targetUri() + ": " + e.getMessage(), 0);
        } catch (MissingSecretException e) {
            return AttemptResult.failed(Outcome.FAILED, null, "MissingSecret", e.getMessage(), 0);
        }
        try {
            HttpResponse<InputStream> response = client(task).send(request, HttpResponse.BodyHandlers.ofInputStream());
            long latency = millisSince(start);
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                response.body().close();
                return AttemptResult.delivered(status, latency);
            }
            String body = head(response.body());
            boolean retryable = status == 408 || status == 429 || status >= 500;
            return AttemptResult.failed(retryable ? Outcome.FAILED : Outcome.PERMANENT_FAILURE, status, "HttpStatus",
                    "HTTP " + status + (body.isEmpty() ? "" : ": " + body), latency);
        } catch (HttpTimeoutException e) {
            return AttemptResult.failed(Outcome.TIMEOUT, e, millisSince(start));
        } catch (IOException e) {
            return AttemptResult.failed(Outcome.FAILED, e, millisSince(start));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return AttemptResult.failed(Outcome.FAILED, e, millisSince(start));
        }
    }

    private HttpRequest request(DeliveryTask task) {
        String id = task.webhookId();
        long timestamp = System.currentTimeMillis() / 1000;
        byte[] body = task.payload().getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(task.targetUri().trim()))
                .timeout(Duration.ofMillis(task.readTimeoutMs()))
                .header("content-type", "application/json")
                .header("webhook-id", id)
                .header("webhook-timestamp", Long.toString(timestamp))
                .header("iu-event-type", task.eventType())
                .header("iu-event-id", task.eventId().toString())
                .header("iu-route-key", task.routeKey())
                .header("iu-attempt", Integer.toString(task.attemptsSoFar() + 1))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (task.secretRef() != null) {
            String secret = secrets.apply(task.secretRef());
            if (secret == null || secret.isBlank()) {
                throw new MissingSecretException("route " + task.routeKey() + " names secret_ref " + task.secretRef()
                        + ", but that environment variable is not set; the webhook is not sent unsigned");
            }
            try {
                builder.header("webhook-signature", WebhookSignature.sign(secret, id, timestamp, body));
            } catch (IllegalArgumentException e) {
                throw new MissingSecretException("the secret in " + task.secretRef()
                        + " is not whsec_ followed by base64; the webhook is not sent unsigned");
            }
        }
        return builder.build();
    }

    private HttpClient client(DeliveryTask task) {
        return clients.computeIfAbsent(task.connectTimeoutMs(), timeout -> HttpClient.newBuilder()
                .connectTimeout(Duration.ofMillis(timeout))
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build());
    }

    private static String head(InputStream body) throws IOException {
        try (body) {
            return new String(body.readNBytes(ERROR_BODY_BYTES), StandardCharsets.UTF_8).strip();
        }
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
