package dev.iucore.pipeline.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import org.slf4j.LoggerFactory;

/** Commands log warnings only, so their output stays readable; the service logs at its level, as text or JSON. */
final class Logging {

    /** The console appender of logback.xml. */
    static final String TEXT = "TEXT";
    static final String JSON = "JSON";

    private static volatile int verbosity;

    private Logging() {
    }

    static void command() {
        root().setLevel(verbosity == 0 ? Level.WARN : verbosity == 1 ? Level.INFO : Level.DEBUG);
    }

    static void service(String level, String format) {
        root().setLevel(verbosity > 1 ? Level.DEBUG : Level.toLevel(level, Level.INFO));
        // the format was checked at start (Setting.LOG_FORMAT's rule): text or json
        if (format.equalsIgnoreCase("json")) {
            json();
        }
    }

    static void verbose(int level) {
        verbosity = level;
        command();
    }

    static boolean isVerbose() {
        return verbosity > 0;
    }

    /**
     * One JSON object per line on stderr in place of the text lines: level, time, thread, logger,
     * the formatted message, the MDC (a delivery attempt's event_id, route_key, delivery_id and
     * attempt: DeliveryLogContext), key-value pairs (a delivery's outcome) and the exception, if any.
     */
    private static void json() {
        Logger root = root();
        if (root.getAppender(JSON) != null) {
            return;
        }
        LoggerContext context = root.getLoggerContext();
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(context);
        encoder.setWithSequenceNumber(false);
        encoder.setWithNanoseconds(false);
        encoder.setWithContext(false);
        encoder.setWithMessage(false);
        encoder.setWithArguments(false);
        encoder.setWithFormattedMessage(true);
        encoder.setWithMDC(true);
        encoder.start();
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName(JSON);
        appender.setTarget("System.err");
        appender.setEncoder(encoder);
        appender.start();
        root.addAppender(appender);
        Appender<ILoggingEvent> text = root.getAppender(TEXT);
        if (text != null) {
            root.detachAppender(text);
            text.stop();
        }
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }
}
