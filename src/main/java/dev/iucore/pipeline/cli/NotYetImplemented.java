package dev.iucore.pipeline.cli;

import java.util.concurrent.Callable;

/** A command of DESIGN §8 whose behaviour lands with a later issue: says so and exits 1. */
abstract class NotYetImplemented implements Callable<Integer> {

    private final int issue;

    NotYetImplemented(int issue) {
        this.issue = issue;
    }

    @Override
    public Integer call() {
        throw CommandFailure.failed("not implemented yet (issue #" + issue + ")");
    }
}
