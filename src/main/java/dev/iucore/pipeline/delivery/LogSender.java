package dev.iucore.pipeline.delivery;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A {@code log:<name>} route writes the event to the logger {@code iu.delivery.<name>} at INFO. */
public final class LogSender implements DeliveryTarget {

    @Override
    public AttemptResult tryOnce(DeliveryAttempt attempt) {
        DeliveryTask task = attempt.getTask();
        long start = System.nanoTime();
        String name = task.targetUri().trim().substring("log:".length()).replaceAll("[^A-Za-z0-9._-]", "_");
        Logger logger = LoggerFactory.getLogger("iu.delivery." + (name.isEmpty() ? "default" : name));
        logger.info("event {} {} aggregate {} route {}: {}", task.eventId(), task.eventType(), task.aggregateId(),
                task.routeKey(), task.payload());
        return AttemptResult.delivered(null, (System.nanoTime() - start) / 1_000_000);
    }
}
