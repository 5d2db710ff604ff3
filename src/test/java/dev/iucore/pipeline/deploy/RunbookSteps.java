package dev.iucore.pipeline.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.iucore.pipeline.config.Settings;
import dev.iucore.pipeline.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code iu-core} lines of a runbook section, run as written through the real CLI: only the
 * {@code <placeholders>} the runbook names are filled in.
 */
final class RunbookSteps {

    private static final Path RUNBOOK = Path.of("deploy", "RUNBOOK.md");

    private RunbookSteps() {
    }

    /** Runs every line of the first bash block after {@code heading}; each must exit 0. */
    static void run(Settings settings, String heading, Map<String, String> placeholders) throws Exception {
        List<List<String>> steps = section(heading);
        assertThat(steps).isNotEmpty();
        for (List<String> step : steps) {
            String[] args = step.stream().map(word -> placeholders.getOrDefault(word, word)).toArray(String[]::new);
            assertThat(args).as("a placeholder left in %s", String.join(" ", args)).noneMatch(a -> a.matches("<.*>"));
            Cli.Result result = Cli.run(settings, args);
            assertThat(result.exitCode()).as("iu-core %s%n%s%s", String.join(" ", args), result.out(), result.err()).isZero();
        }
    }

    /** The {@code iu-core} lines of the first bash block after {@code heading}, as argument lists. */
    private static List<List<String>> section(String heading) throws Exception {
        String runbook = Files.readString(RUNBOOK);
        int start = runbook.indexOf("\n" + heading + "\n");
        assertThat(start).as("RUNBOOK has %s", heading).isNotNegative();
        int open = runbook.indexOf("```bash\n", start) + "```bash\n".length();
        String block = runbook.substring(open, runbook.indexOf("```", open));
        List<List<String>> steps = new ArrayList<>();
        for (String line : block.split("\n")) {
            List<String> words = words(line);
            if (!words.isEmpty()) {
                assertThat(words.get(0)).as(line).isEqualTo("iu-core");
                steps.add(words.subList(1, words.size()));
            }
        }
        return steps;
    }

    /** Shell words of one line: double quotes group, a # outside them starts a comment. */
    private static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        boolean quoted = false;
        for (char ch : line.toCharArray()) {
            if (ch == '"') {
                quoted = !quoted;
                word = word == null ? new StringBuilder() : word;
            } else if (!quoted && ch == '#' && word == null) {
                break;
            } else if (!quoted && Character.isWhitespace(ch)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else {
                word = word == null ? new StringBuilder() : word;
                word.append(ch);
            }
        }
        assertThat(quoted).as("balanced quotes in %s", line).isFalse();
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }
}
