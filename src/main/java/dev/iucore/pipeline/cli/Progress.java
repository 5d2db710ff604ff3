package dev.iucore.pipeline.cli;

import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/**
 * Progress of a long command, drawn on stderr by the progressbar library when a person watches a
 * terminal, silent otherwise (with {@code --json}, or when output is not a terminal). Use it in a
 * try-with-resources block:
 * <pre>{@code try (Progress progress = Progress.start(context, "backup", tables)) { ... progress.step(); } }</pre>
 */
public final class Progress implements AutoCloseable {

    private static final Progress SILENT = new Progress(null);
    private static final long MIB = 1L << 20;

    private final ProgressBar bar;

    private Progress(ProgressBar bar) {
        this.bar = bar;
    }

    /** A counter of {@code total} steps (tables, batches, rows). */
    public static Progress start(CommandContext context, String task, long total) {
        return context.showsProgress() ? drawn(context.err(), task, total, null) : SILENT;
    }

    /** A counter of bytes, shown in MiB. */
    public static Progress bytes(CommandContext context, String task, long totalBytes) {
        return context.showsProgress() ? drawn(context.err(), task, totalBytes, "MiB") : SILENT;
    }

    /** A bar drawn on {@code err}; {@link #start} decides whether anyone sees one. */
    static Progress drawn(PrintStream err, String task, long total, String megaUnit) {
        ProgressBarBuilder builder = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setConsumer(new ConsoleProgressBarConsumer(err));
        if (megaUnit != null) {
            builder.setUnit(" " + megaUnit, MIB);
        }
        return new Progress(builder.build());
    }

    public void step() {
        stepBy(1);
    }

    public void stepBy(long n) {
        if (bar != null) {
            bar.stepBy(n);
        }
    }

    /** Draws the final state and ends the line; the command's own output follows below it. */
    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
