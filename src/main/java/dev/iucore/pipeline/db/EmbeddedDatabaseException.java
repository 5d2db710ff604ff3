package dev.iucore.pipeline.db;

/** The embedded database cannot be started, attached to or prepared; the message says why. */
public class EmbeddedDatabaseException extends RuntimeException {
    public EmbeddedDatabaseException(String message) {
        super(message);
    }

    public EmbeddedDatabaseException(String message, Throwable cause) {
        super(message, cause);
    }
}
