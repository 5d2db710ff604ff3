package dev.iucore.pipeline.cli;

import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code iu-core routes validate <file|dir>}. */
@Command(name = "routes", description = "Work with the YAML routes.", subcommands = RoutesCommand.Validate.class)
final class RoutesCommand {

    @Command(name = "validate", description = "Load YAML routes into a context that is built but not started; report each error with file and line.")
    static final class Validate extends NotYetImplemented {
        @Parameters(paramLabel = "<file|dir>", description = "A YAML route file or a directory of them.")
        Path path;

        @Mixin
        JsonOption json;

        Validate() {
            super(6);
        }
    }
}
