package dev.iucore.pipeline.backup;

/**
 * A backup that was refused before it started (no usable {@code pg_dump}, an archive that is not
 * there) or that failed (pg_dump exited with an error, a checksum that does not match).
 */
public final class BackupException extends RuntimeException {

    private final boolean refused;

    private BackupException(boolean refused, String message) {
        super(message);
        this.refused = refused;
    }

    static BackupException refused(String message) {
        return new BackupException(true, message);
    }

    static BackupException failed(String message) {
        return new BackupException(false, message);
    }

    public boolean isRefused() {
        return refused;
    }
}
