package dev.iucore.pipeline.config;

import org.apache.camel.CamelContext;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.spi.CliConnector;
import org.apache.camel.spi.CliConnectorFactory;
import org.apache.camel.support.service.ServiceHelper;

/**
 * camel-cli-connector is on the classpath for the service ({@code iu.cli-connector}), and Camel
 * gives every context a connector of its own, on by default, started as the context initialises.
 * Its thread resolves dev consoles at once, adding to the context's {@code DefaultDevConsoleRegistry}
 * (a plain {@code TreeSet}) and reading its bean registry while the starting context iterates them:
 * a {@code ConcurrentModificationException} fails about one start in three hundred. And all the
 * connectors of a JVM share one lock file ({@code ~/.camel/<pid>}): the first to stop deletes it,
 * and every other then stops its own context ("Camel JBang terminating JVM"). So a context of ours
 * beside the service (the boundary probe's) has none, and the service's starts once its context has.
 */
public final class CamelCliConnector {

    private CamelCliConnector() {
    }

    /** Before the context starts: it then starts no connector. */
    public static void off(CamelContext camel) {
        CliConnectorFactory factory = camel.getCamelContextExtension().getContextPlugin(CliConnectorFactory.class);
        if (factory != null) {
            factory.setEnabled(false);
        }
    }

    /** The connector of a context started with it {@link #off}, started now, as Camel would have, and stopped with it. */
    public static void startAfterTheContext(CamelContext camel) {
        CliConnectorFactory factory = camel.getCamelContextExtension().getContextPlugin(CliConnectorFactory.class);
        factory.setEnabled(true);
        CliConnector connector = factory.createConnector();
        try {
            camel.addService(connector, true);
        } catch (Exception e) {
            throw RuntimeCamelException.wrapRuntimeCamelException(e);
        }
        ServiceHelper.startService(connector);
    }
}
