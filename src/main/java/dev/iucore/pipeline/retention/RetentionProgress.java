package dev.iucore.pipeline.retention;

/**
 * Where a deleting run reports as it goes, batch by batch. The CLI's progress display and the
 * batch run's recorded progress plug in here; the scheduled route needs none.
 */
public interface RetentionProgress {

    RetentionProgress NONE = new RetentionProgress() {
    };

    /** A deleting run starts: {@code eligible} rows over all its targets. */
    default void deleting(long eligible) {
    }

    /** A target starts deleting; {@code eligible} is what its run row counted. */
    default void targetStarted(String target, long eligible) {
    }

    /** One batch of {@code target} is committed; {@code deleted} rows of it so far. */
    default void batchDeleted(String target, long deleted, long eligible) {
    }
}
