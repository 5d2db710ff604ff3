package dev.iucore.pipeline.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** How a benchmark's {@code main} runs: logs at WARN, a stack trace and exit 1 on failure. */
final class BenchMain {

    /** A benchmark's body, given the command's arguments. */
    interface Body {
        void run(String[] args) throws Exception;
    }

    private BenchMain() {
    }

    static void run(String[] args, Body body) {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
        int status = 0;
        try {
            body.run(args);
        } catch (Exception | Error e) {
            e.printStackTrace();
            status = 1;
        }
        // exec:java waits for every non-daemon thread (HTTP, JMX and pool threads); the figures are out
        System.exit(status);
    }
}
