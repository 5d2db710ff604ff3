package dev.iucore.pipeline.delivery;

import java.math.BigDecimal;
import java.util.UUID;

/** A claimed delivery with its event and its route's policy as they were at claim time. */
public record DeliveryTask(long deliveryId, UUID eventId, String eventType, String aggregateId, String payload,
                           String routeKind, String routeKey, int attemptsSoFar, boolean routeExists,
                           String targetUri, String secretRef, Integer connectTimeoutMs, Integer readTimeoutMs,
                           int maxAttempts, int backoffInitialMs, BigDecimal backoffFactor, int backoffMaxMs,
                           Integer circuitFailureThreshold, Integer circuitOpenMs, String action) {

    public static final String PROPERTY = "iuDelivery";

    public boolean isSqlAction() {
        return "sql".equals(routeKind);
    }

    /** The Standard Webhooks {@code webhook-id}: stable per event x route, the integrator's idempotency key. */
    public String webhookId() {
        return "msg_" + eventId + "_" + routeKey;
    }
}
