package dev.iucore.pipeline.testing;

import dev.iucore.pipeline.cli.IuCoreCli;
import dev.iucore.pipeline.config.Settings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs {@code iu-core} in-process and captures what it prints. */
public final class Cli {

    private Cli() {
    }

    public static Result run(Settings settings, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            exit = IuCoreCli.execute(settings, o, e, args);
        }
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    public record Result(int exitCode, String out, String err) {
    }
}
