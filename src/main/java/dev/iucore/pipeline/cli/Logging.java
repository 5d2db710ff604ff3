package dev.iucore.pipeline.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Commands log warnings only, so their output stays readable; the service logs at its level. */
final class Logging {

    private static volatile int verbosity;

    private Logging() {
    }

    static void command() {
        root().setLevel(verbosity == 0 ? Level.WARN : verbosity == 1 ? Level.INFO : Level.DEBUG);
    }

    static void service(String level) {
        root().setLevel(verbosity > 1 ? Level.DEBUG : Level.toLevel(level, Level.INFO));
    }

    static void verbose(int level) {
        verbosity = level;
        command();
    }

    static boolean isVerbose() {
        return verbosity > 0;
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }
}
