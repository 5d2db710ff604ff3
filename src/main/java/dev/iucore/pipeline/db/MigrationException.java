package dev.iucore.pipeline.db;

/** A migration or rollback that could not be applied; nothing of it was kept. */
public class MigrationException extends RuntimeException {
    public MigrationException(String message, Throwable cause) {
        super(message, cause);
    }
}
