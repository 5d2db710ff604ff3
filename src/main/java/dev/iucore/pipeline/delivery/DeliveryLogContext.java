package dev.iucore.pipeline.delivery;

import org.slf4j.MDC;

/**
 * The log context of one delivery attempt: while a worker tries a delivery, every line it logs,
 * ours or Camel's, carries the event id, route key, delivery id and attempt number as MDC fields
 * (the JSON log format writes them under {@code mdc}), so a machine can follow one delivery
 * through the log without parsing messages. The delivery route sets it first and clears it last;
 * it names this class by type (no state of its own: the MDC belongs to the thread). The recorder
 * moves it: off the worker when it hands the try over, onto the committer's thread for the rest.
 */
public final class DeliveryLogContext {

    public static final String EVENT_ID = "event_id";
    public static final String ROUTE_KEY = "route_key";
    public static final String DELIVERY_ID = "delivery_id";
    public static final String ATTEMPT = "attempt";

    /** The attempt about to be made on a claimed task (the route's body as the claim left it): its tries so far, plus this one. */
    public void enter(DeliveryTask task) {
        enterThread(task);
    }

    /** The worker thread goes back to its pool: no later line may carry this delivery's fields. */
    public void leave() {
        leaveThread();
    }

    static void enterThread(DeliveryTask task) {
        MDC.put(EVENT_ID, String.valueOf(task.eventId()));
        MDC.put(ROUTE_KEY, task.routeKey());
        MDC.put(DELIVERY_ID, Long.toString(task.deliveryId()));
        MDC.put(ATTEMPT, Integer.toString(task.attemptsSoFar() + 1));
    }

    static void leaveThread() {
        MDC.remove(EVENT_ID);
        MDC.remove(ROUTE_KEY);
        MDC.remove(DELIVERY_ID);
        MDC.remove(ATTEMPT);
    }
}
