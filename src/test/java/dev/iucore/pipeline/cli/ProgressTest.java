package dev.iucore.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.iucore.pipeline.config.Settings;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ProgressTest {

    @Test
    void aDrawnBarShowsTheTaskAndHowFarItGot() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (Progress progress = Progress.drawn(new PrintStream(err, true, StandardCharsets.UTF_8), "backup", 4, null)) {
            progress.step();
            progress.stepBy(3);
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("backup").contains("100%").contains("4/4");
    }

    @Test
    void aByteCounterIsShownInMebibytes() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (Progress progress = Progress.drawn(new PrintStream(err, true, StandardCharsets.UTF_8), "backup verify",
                3L << 20, "MiB")) {
            progress.stepBy(3L << 20);
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("backup verify").contains("3/3 MiB");
    }

    @Test
    void nothingIsDrawnWithJsonOrWithoutATerminal() {
        assertThat(System.console()).as("tests run without a console, as a cron job or a pipe would").isNull();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
        for (boolean json : new boolean[] {true, false}) {
            try (CommandContext context = new CommandContext(Settings.load(Map.of(), new Properties()), nowhere, errStream)) {
                context.begin(new Invocation("backup", "ops", List.of(), false, json, "node"));
                try (Progress progress = Progress.start(context, "backup", 2)) {
                    progress.step();
                    progress.step();
                }
            }
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }
}
