package dev.iucore.pipeline.delivery;

import org.apache.camel.Body;

/**
 * The one seam between the delivery route and the kinds of target (HTTP, Kafka, log, SQL action):
 * one try of one delivery, ending in the {@link AttemptResult} the record step after the route's
 * choice writes. A target that fails is a result (failed, timeout, permanent), not an exception;
 * an exception means nothing could be tried, and the delivery's lease expires into a retry.
 */
public interface DeliveryTarget {

    AttemptResult tryOnce(DeliveryAttempt attempt) throws Exception;

    /** The route's step: the try's result goes on the attempt, the body the record step takes. */
    default DeliveryAttempt send(@Body DeliveryAttempt attempt) throws Exception {
        attempt.ended(tryOnce(attempt));
        return attempt;
    }
}
