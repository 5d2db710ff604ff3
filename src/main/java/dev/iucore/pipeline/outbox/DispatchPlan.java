package dev.iucore.pipeline.outbox;

import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Exchange;

/**
 * What the dispatch route decided for each event of a batch, written afterwards set-based (one
 * statement per kind, not per event): the route reads one decision per event, the database sees
 * a handful of statements per batch.
 */
public final class DispatchPlan {

    public static final String PROPERTY = "iuDispatchPlan";

    final List<Long> unregistered = new ArrayList<>();
    final List<Long> disabled = new ArrayList<>();
    final List<Long> held = new ArrayList<>();
    final List<Long> dispatched = new ArrayList<>();

    public static DispatchPlan of(Exchange exchange) {
        DispatchPlan plan = exchange.getProperty(PROPERTY, DispatchPlan.class);
        if (plan == null) {
            throw new IllegalStateException("the route must claim (outboxClaimer.claim) before planning");
        }
        return plan;
    }


    public List<Long> unregistered() {
        return unregistered;
    }

    public List<Long> disabled() {
        return disabled;
    }

    public List<Long> held() {
        return held;
    }

    public List<Long> dispatched() {
        return dispatched;
    }
}
