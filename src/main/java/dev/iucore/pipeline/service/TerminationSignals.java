package dev.iucore.pipeline.service;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGTERM, SIGINT and SIGHUP ask the service to stop in order: Camel first, then the embedded
 * database. Plain JVM shutdown hooks run concurrently, which would stop PostgreSQL under Camel's
 * in-flight work; handling the signals ourselves keeps the order. A second signal exits at once.
 */
public final class TerminationSignals {

    private static final Logger LOG = LoggerFactory.getLogger(TerminationSignals.class);

    private TerminationSignals() {
    }

    public static void onTerminate(Runnable orderlyStop) {
        AtomicBoolean stopping = new AtomicBoolean();
        for (String name : new String[] {"TERM", "INT", "HUP"}) {
            try {
                Signal.handle(new Signal(name), signal -> {
                    if (stopping.compareAndSet(false, true)) {
                        LOG.info("received SIG{}; stopping", signal.getName());
                        orderlyStop.run();
                    } else {
                        LOG.warn("received SIG{} again; exiting without waiting", signal.getName());
                        Runtime.getRuntime().halt(130);
                    }
                });
            } catch (IllegalArgumentException e) {
                LOG.debug("signal {} cannot be handled here: {}", name, e.getMessage());
            }
        }
    }
}
