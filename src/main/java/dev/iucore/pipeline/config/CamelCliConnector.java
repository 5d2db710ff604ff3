package dev.iucore.pipeline.config;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.CliConnectorFactory;

/**
 * camel-cli-connector is on the classpath for the service ({@code iu.cli-connector}), and Camel
 * gives every context it builds a connector of its own, on by default. A connector's thread
 * resolves dev consoles the moment its context initialises, adding to the context's
 * {@code DefaultDevConsoleRegistry} (a plain {@code TreeSet}) while the starting context iterates it:
 * a {@code ConcurrentModificationException} fails about one start in three hundred. And all the
 * connectors of a JVM share one lock file ({@code ~/.camel/<pid>}): the first to stop deletes it,
 * and every other then stops its own context ("Camel JBang terminating JVM"). A context of ours
 * beside the service (the boundary probe's) therefore has none.
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
}
