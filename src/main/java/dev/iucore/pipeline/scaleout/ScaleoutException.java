package dev.iucore.pipeline.scaleout;

/**
 * A scaleout batch or an actor rollback that was refused (gate {@code scaleout_enabled} closed,
 * another actor's rows in the way) or that cannot run as asked (a template version that does not
 * exist); either way nothing was written.
 */
public final class ScaleoutException extends RuntimeException {

    private final boolean refused;

    private ScaleoutException(boolean refused, String message) {
        super(message);
        this.refused = refused;
    }

    static ScaleoutException refused(String message) {
        return new ScaleoutException(true, message);
    }

    static ScaleoutException failed(String message) {
        return new ScaleoutException(false, message);
    }

    public boolean isRefused() {
        return refused;
    }
}
