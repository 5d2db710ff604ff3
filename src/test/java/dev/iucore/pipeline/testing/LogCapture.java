package dev.iucore.pipeline.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.slf4j.LoggerFactory;

/** Everything logged anywhere in this JVM while open, as the encoder writes it. */
public final class LogCapture implements AutoCloseable {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
    private final List<String> debugLoggers;

    private LogCapture(List<String> debugLoggers) {
        this.debugLoggers = debugLoggers;
    }

    /** Text lines (level, logger, message, key-value pairs, exception), with these loggers at DEBUG until closed. */
    public static LogCapture text(String... debugLoggers) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setPattern("%d %-5level [%thread] %logger - %msg %kvp%n%ex");
        return start(encoder, List.of(debugLoggers));
    }

    /** With these loggers at DEBUG until closed. */
    public static LogCapture start(Encoder<ILoggingEvent> encoder, List<String> debugLoggers) {
        LogCapture log = new LogCapture(debugLoggers);
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        encoder.setContext(context);
        encoder.start();
        log.appender.setContext(context);
        log.appender.setName("captured-" + UUID.randomUUID());
        log.appender.setEncoder(encoder);
        log.appender.setOutputStream(log.bytes);
        log.appender.start();
        root().addAppender(log.appender);
        debugLoggers.forEach(name -> context.getLogger(name).setLevel(Level.DEBUG));
        return log;
    }

    public String output() {
        synchronized (bytes) {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        root().detachAppender(appender);
        appender.stop();
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        debugLoggers.forEach(name -> context.getLogger(name).setLevel(null));
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }
}
