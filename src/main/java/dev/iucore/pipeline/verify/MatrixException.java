package dev.iucore.pipeline.verify;

import java.util.List;

/** A snapshot label that is taken, or that names no snapshot: the message says which and what to do. */
public final class MatrixException extends RuntimeException {

    private MatrixException(String message) {
        super(message);
    }

    static MatrixException duplicate(String label, MatrixRecorder.Snapshot existing) {
        return new MatrixException("a snapshot labelled \"" + label + "\" exists"
                + (existing == null ? "" : " (taken " + existing.takenAt() + " by " + existing.actor()
                        + ", database user " + existing.dbUser() + ")")
                + "; labels are unique: choose another");
    }

    static MatrixException unknown(String label, List<String> newest) {
        return new MatrixException("no snapshot labelled \"" + label + "\"; "
                + (newest.isEmpty() ? "there are none yet: take one with `iu-core matrix snapshot --label <label>`"
                        : "the newest are: " + String.join(", ", newest)));
    }
}
